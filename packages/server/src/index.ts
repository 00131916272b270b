export { createApp } from './app.ts';
export { parseServerConfig, type ServerConfig } from './config.ts';
export { createInstance, type Instance, type RunningServer, startServer } from './server.ts';
