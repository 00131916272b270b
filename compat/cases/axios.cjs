// axios (CommonJS): GET, POST, interceptors and an error status against the loopback stand-in.
const axios = require('axios');

exports.handler = async (event) => {
  const client = axios.create({
    baseURL: event.baseUrl,
    headers: { 'x-test': 'axios' },
    timeout: 2000,
  });
  client.interceptors.request.use((config) => {
    config.headers['x-intercepted'] = 'yes';
    return config;
  });
  const got = await client.get('/json', { params: { q: 'a b', n: 2 } });
  const posted = await client.post('/echo', { hello: 'world', list: [1, 2] });
  let failed;
  try {
    await client.get('/status/404');
  } catch (err) {
    failed = {
      isAxiosError: axios.isAxiosError(err),
      status: err.response?.status,
      data: err.response?.data,
    };
  }
  return {
    got: { status: got.status, data: got.data, contentType: got.headers['content-type'] },
    posted: posted.data,
    failed,
  };
};
