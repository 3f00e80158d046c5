/**
 * A pass-through proxy in a worker thread of its own, in front of the test Stripe server, that
 * writes down when each request arrives. The test Stripe server runs in the test's own thread, with
 * the backend under test: when that thread is busy, requests wait in the socket and get stamped
 * late, together. The worker's thread has nothing else to do, so its times are when the bytes
 * came — what a rate limiter at Stripe would count.
 */
import { Worker } from 'node:worker_threads';

const SOURCE = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const target = new URL(workerData.target);
const arrivals = [];
const agent = new http.Agent({ keepAlive: true });
const server = http.createServer((req, res) => {
  arrivals.push({ at: performance.timeOrigin + performance.now(), authorization: req.headers.authorization ?? null, path: req.url });
  const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (message) => {
  if (message === 'arrivals') parentPort.postMessage({ arrivals });
  if (message === 'close') {
    server.closeAllConnections();
    server.close(() => parentPort.postMessage({ closed: true }));
  }
});
`;

export type Arrival = { at: number; authorization: string | null; path: string };

export async function startArrivalLog(target: string) {
  const worker = new Worker(SOURCE, { eval: true, workerData: { target } });
  const next = <T>(key: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: Record<string, unknown>) => {
        if (!(key in message)) return;
        worker.off('message', onMessage);
        worker.off('error', reject);
        resolve(message[key] as T);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  const port = await next<number>('port');
  return {
    url: `http://127.0.0.1:${port}`,
    async arrivals(): Promise<Arrival[]> {
      const answer = next<Arrival[]>('arrivals');
      worker.postMessage('arrivals');
      return answer;
    },
    async close() {
      const closed = next<boolean>('closed');
      worker.postMessage('close');
      await closed;
      await worker.terminate();
    },
  };
}
