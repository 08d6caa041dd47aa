// Micro benchmark of CoreDNS `loadbalance` in reply assembly: buildReply of an 8-address answer with and
// without rotating its A RRset. Run after `npm run build`: node bench/loadbalance-reply.mjs
import { compileAnswer } from '../dist/wire/compiled-answer.js';
import { createMessage, encodeMessage } from '../dist/wire/message.js';
import { parseQuery } from '../dist/wire/query.js';
import { buildReply } from '../dist/wire/reply.js';

const name = 'lb.default.svc.cluster.local';
const records = Array.from({ length: 8 }, (_, i) => ({ name, type: 1, class: 1, ttl: 5, data: `10.0.0.${i + 1}` }));
const answer = compileAnswer(name, 1, 1, { answer: records, authority: [], additional: [] }, 0, true);
const raw = encodeMessage(createMessage({ id: 7, questions: [{ name, type: 1, class: 1 }] }));
const parsed = parseQuery(raw);
const query = parsed.query ?? parsed;
const ROUNDS = 2_000_000;

function run(rotate) {
  let bytes = 0;
  const started = process.hrtime.bigint();
  for (let i = 1; i <= ROUNDS; i++) bytes += buildReply(raw, query, answer, 512, rotate ? i : 0).length;
  const ns = Number(process.hrtime.bigint() - started) / ROUNDS;
  return { ns, bytes };
}

run(false);
run(true);
const plain = run(false);
const rotated = run(true);
console.log(`buildReply, 8 A records: ${plain.ns.toFixed(1)} ns plain, ${rotated.ns.toFixed(1)} ns rotated (+${(rotated.ns - plain.ns).toFixed(1)} ns)`);
