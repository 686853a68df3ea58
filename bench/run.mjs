// npm run bench [-- name ...]: builds the widget, runs every bench/*.bench.mjs (or the named ones) one
// after another, each in its own process, and writes bench/results.json and bench/results.md (a partial
// run keeps the other benches' last results there).
// A bench reports by writing { title, markdown, results } as JSON to the file in $BENCH_OUT; one that
// does not is still run, and its exit code and the tail of its output are recorded.
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const DIR = import.meta.dirname
const ROOT = path.resolve(DIR, '..')
const OUT_DIR = path.join(DIR, '.out')

const sh = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return 'unavailable'
  }
}

function machine() {
  return {
    nproc: sh('nproc', []),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memory: sh('free', ['-h']),
    node: process.version,
    chromium: sh('/usr/bin/chromium', ['--version']),
    os: `${os.type()} ${os.release()}`,
  }
}

function runOne(file) {
  const out = path.join(OUT_DIR, `${path.basename(file, '.bench.mjs')}.json`)
  rmSync(out, { force: true })
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], {
      cwd: ROOT,
      env: { ...process.env, BENCH_OUT: out },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let tail = ''
    const keep = (chunk) => {
      process.stdout.write(chunk)
      tail = (tail + chunk).slice(-4000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    child.on('exit', (code) => {
      const seconds = Math.round((Date.now() - started) / 100) / 10
      const report = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : null
      resolve({ file: path.relative(ROOT, file), code, seconds, ...(report ?? { tail }) })
    })
  })
}

const only = process.argv.slice(2)
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
  .sort()
  .map((f) => path.join(DIR, f))

mkdirSync(OUT_DIR, { recursive: true })
execFileSync(process.execPath, [path.join(ROOT, 'widget/build.mjs')], { stdio: 'inherit', cwd: ROOT })
const benches = []
for (const file of files) {
  console.log(`\n== ${path.relative(ROOT, file)}`)
  benches.push(await runOne(file))
}

// A partial run (`npm run bench -- name`) keeps the other benches' last results.
const previous = existsSync(path.join(DIR, 'results.json'))
  ? JSON.parse(readFileSync(path.join(DIR, 'results.json'), 'utf8')).benches
  : []
for (const old of only.length ? previous : []) {
  if (!benches.some((b) => b.file === old.file)) benches.push(old)
}
benches.sort((a, b) => a.file.localeCompare(b.file))

const at = new Date().toISOString()
const info = machine()
writeFileSync(path.join(DIR, 'results.json'), JSON.stringify({ at, machine: info, benches }, null, 2) + '\n')
const sections = benches.map((b) =>
  b.markdown
    ? `## ${b.title}\n\n${b.markdown}\n\n_${b.file}: ${b.seconds} s, exit ${b.code}_`
    : `## ${b.file}\n\nExit ${b.code} after ${b.seconds} s; no report. Output tail:\n\n\`\`\`\n${b.tail}\n\`\`\``
)
const md = [
  `# Bench results, ${at}`,
  `Machine: ${info.nproc} CPUs (${info.cpu}), Node ${info.node}, ${info.chromium}, ${info.os}.`,
  '```\n' + info.memory + '\n```',
  ...sections,
].join('\n\n')
writeFileSync(path.join(DIR, 'results.md'), md + '\n')
console.log(`\nWrote bench/results.json and bench/results.md`)
process.exit(benches.every((b) => b.code === 0) ? 0 : 1)
