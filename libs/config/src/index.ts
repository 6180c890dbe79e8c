export const DEFAULT_HTTP_PORT = 3000;
