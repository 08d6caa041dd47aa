// The same "application" as greeter.ts, as a CommonJS module for the Jest suite (Jest loads plain .cjs as is).
'use strict';
const http = require('node:http');

function fetchGreeting({ host, port, lookup }) {
  return new Promise((resolve, reject) => {
    const request = http.get({ host, port, path: '/greeting', lookup, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    request.on('error', reject);
  });
}

module.exports = { fetchGreeting };
