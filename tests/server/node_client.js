// Drives the server with a MessagePack-RPC client nobody on this project
// wrote (npm msgpack5rpc): solve, a job with progress notifications, auth
// roles and error replies.  Usage: node node_client.js CV_SERVE NODE_MODULES_DIR
'use strict';
const path = require('path');
const net = require('net');
const fs = require('fs');
const os = require('os');
const { spawn } = require('child_process');
const Session = require(path.join(process.argv[3], 'msgpack5rpc'));

const serve = process.argv[2];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cv_node_'));
const tokens = path.join(dir, 'tokens');
fs.writeFileSync(tokens, 'coord-0123456789abcdef coordinator\nvan100-0123456789abcdef operator 100\n');
fs.chmodSync(tokens, 0o600);
const overall = setTimeout(() => fail('timeout'), 90000);

let child;
function fail(msg) {
  console.error('node client test FAILED: ' + msg);
  if (child) child.kill('SIGKILL');
  process.exit(1);
}
function check(cond, msg) { if (!cond) fail(msg); }

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => {
      const s = new Session();
      s.attach(sock, sock);
      s.sock = sock;
      resolve(s);
    });
    sock.on('error', reject);
  });
}

function call(s, method, args) {
  return new Promise((resolve) => s.request(method, args, (err, res) => resolve({ err, res })));
}

function problem(n) {
  const m = n + 1, rows = [];
  for (let a = 0; a < m; a++) {
    const row = [];
    for (let b = 0; b < m; b++) { let d = Math.abs(a - b); d = Math.min(d, m - d); row.push(d * 60); }
    rows.push(row);
  }
  const jobs = [];
  for (let i = 0; i < n; i++) jobs.push({ id: i + 1, location_index: i + 1, service: 300 });
  return {
    vehicles: [{ id: 100, start_index: 0, end_index: 0 }, { id: 101, start_index: 0, end_index: 0 }],
    jobs, matrices: { car: { durations: rows } },
  };
}

async function main() {
  const port = await freePort();
  child = spawn(serve, ['--listen', '127.0.0.1:' + port, '--data', path.join(dir, 'data'),
                        '--auth', tokens], { stdio: ['ignore', 'inherit', 'inherit'] });
  let stopping = false;
  child.on('exit', (code, sig) => { if (!stopping) fail('server exited early: ' + (sig || code)); });
  let s;
  for (let i = 0; i < 200 && !s; i++) {
    try { s = await connect(port); } catch (e) { await new Promise((r) => setTimeout(r, 25)); }
  }
  check(s, 'cannot connect');

  // Before auth: health only.
  let r = await call(s, 'health', []);
  check(!r.err && r.res.status === 'ok', 'health');
  r = await call(s, 'solve', [problem(3)]);
  check(r.err && r.err.code === 'forbidden', 'solve before auth must be forbidden');
  r = await call(s, 'auth', ['wrong-0123456789abcdef']);
  check(r.err && r.err.code === 'forbidden', 'wrong token');
  r = await call(s, 'auth', ['coord-0123456789abcdef']);
  check(!r.err && r.res.role === 'coordinator', 'coordinator auth');

  // Errors name the problem.
  r = await call(s, 'no.such.method', []);
  check(r.err && r.err.code === 'unknown_method' && /no\.such\.method/.test(r.err.message), 'unknown method');
  r = await call(s, 'solve', [{ jobs: 'x' }]);
  check(r.err && r.err.code === 'invalid_params' && /params\[0\]/.test(r.err.message), 'invalid params: ' + JSON.stringify(r.err));

  // solve, several in flight.
  const solves = await Promise.all([call(s, 'solve', [problem(12), { effort: 5000 }]),
                                    call(s, 'version', []),
                                    call(s, 'solve', [problem(6), { effort: 5000 }])]);
  check(!solves[0].err, 'solve: ' + JSON.stringify(solves[0].err));
  check(solves[0].res.summary.unassigned === 0 && solves[0].res.routes.length >= 1, 'solve result');
  check(!solves[1].err && solves[1].res.protocol === 1, 'version');
  check(!solves[2].err && solves[2].res.summary.unassigned === 0, 'second solve');

  // A job with progress notifications.
  const notes = [];
  s.on('notification', (method, args) => { if (method === 'job.progress') notes.push(args[0]); });
  r = await call(s, 'job.submit', [problem(40), { time_limit: 1.0, effort: 1e15 }]);
  check(!r.err && typeof r.res.job === 'number', 'job.submit');
  const id = r.res.job;
  for (let i = 0; i < 300; i++) {
    if (notes.some((n) => n.job === id && n.state === 'done')) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  check(notes.some((n) => n.state === 'running'), 'running progress notifications');
  check(notes.some((n) => n.job === id && n.state === 'done'), 'final progress notification');
  r = await call(s, 'job.result', [id]);
  check(!r.err && r.res.summary.unassigned === 0, 'job.result');

  // Save the plan, then read vehicle 100's route as its operator.
  const plan = solves[0].res;
  r = await call(s, 'plan.save', [{ date: '2026-11-23', team: 'north', plan, problem: problem(12) }]);
  check(!r.err && r.res.revision === 1, 'plan.save');
  const op = await connect(port);
  r = await call(op, 'auth', ['van100-0123456789abcdef']);
  check(!r.err && r.res.role === 'operator' && r.res.vehicle === 100, 'operator auth');
  const veh = plan.routes[0].vehicle;
  r = await call(op, 'plan.route', ['2026-11-23', 'north', 100]);
  if (veh === 100 || plan.routes.some((x) => x.vehicle === 100)) check(!r.err && r.res.route.vehicle === 100, 'own route');
  else check(r.err && r.err.code === 'not_found', 'own route absent');
  r = await call(op, 'plan.route', ['2026-11-23', 'north', 101]);
  check(r.err && r.err.code === 'forbidden', 'other vehicle forbidden');
  r = await call(op, 'plan.get', ['2026-11-23', 'north']);
  check(r.err && r.err.code === 'forbidden', 'operator plan.get forbidden');

  s.sock.end();
  op.sock.end();
  stopping = true;
  child.kill('SIGTERM');
  child.on('exit', (code) => {
    clearTimeout(overall);
    check(code === 0, 'exit code after SIGTERM: ' + code);
    fs.rmSync(dir, { recursive: true, force: true });
    console.log('node client test passed (' + notes.length + ' progress notifications)');
    process.exit(0);
  });
}
main().catch((e) => fail(e.stack));
