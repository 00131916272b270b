export { createApp } from './app.ts';
export { parseServerConfig, type ServerConfig } from './config.ts';
export { type RunningServer, startServer } from './server.ts';
