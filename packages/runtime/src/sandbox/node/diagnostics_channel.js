// node:diagnostics_channel: unenv's (channels, subscribe, TracingChannel), in plain JavaScript.
import diagnosticsChannel from 'unenv/node/diagnostics_channel';

export default diagnosticsChannel;
