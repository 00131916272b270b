// Placeholder until this part of the platform is built: installs nothing.
export function install(_g, _host) {}
