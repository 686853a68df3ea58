import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

// ARCHITECTURE.md's dependency rule, checked on every import in edge/ (type-only imports included).

const EDGE = path.join(import.meta.dirname, '../../edge')

/** What each folder of edge/ may import besides itself; `shared` is the root's errors, validation, types, env, auth. */
const MAY_IMPORT: Record<string, string[]> = {
  db: [],
  medods: [],
  crypto: [],
  matching: ['db'],
  collect: ['db', 'crypto', 'shared', 'widget-wire'],
  imports: ['db', 'medods', 'matching', 'crypto', 'shared'],
  settings: ['db', 'medods', 'crypto', 'shared'],
  api: ['db', 'settings', 'imports', 'medods', 'crypto', 'shared'],
  pages: ['db', 'settings', 'imports', 'medods', 'crypto', 'shared'],
  shared: ['shared'],
}
const SHARED = new Set(['errors', 'validation', 'types', 'env', 'auth', 'worker-configuration.d'])

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(full)
    return /\.tsx?$/.test(entry.name) ? [full] : []
  })
}

/** The layer of a file: its first folder under edge/, or for a root file `shared` / its wiring name. */
function layerOf(file: string): string {
  const relative = path.relative(EDGE, file)
  if (relative.startsWith('..')) return relative.includes('widget/src/wire') ? 'widget-wire' : 'outside'
  const [first, ...rest] = relative.split(path.sep)
  if (rest.length > 0) return first!
  const name = first!.replace(/\.tsx?$/, '')
  return SHARED.has(name) ? 'shared' : `wiring:${name}`
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]!)
  return specifiers.map((specifier) => resolveFile(path.resolve(path.dirname(file), specifier)))
}

/** The file a specifier names: as written, or with .ts/.tsx, or a folder's index.ts. */
function resolveFile(base: string): string {
  const forms = [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]
  return forms.find((form) => existsSync(form) && statSync(form).isFile()) ?? `${base}.ts`
}

const files = sourceFiles(EDGE)
const graph = new Map(files.map((file) => [file, relativeImports(file)]))

describe('the dependency rule (ARCHITECTURE.md)', () => {
  it('every import goes where its folder may import', () => {
    const broken: string[] = []
    for (const [file, imports] of graph) {
      const from = layerOf(file)
      if (from.startsWith('wiring:')) continue
      for (const target of imports) {
        const to = layerOf(target)
        const allowed = to === from || (MAY_IMPORT[from] ?? []).includes(to)
        if (!allowed) broken.push(`${path.relative(EDGE, file)} → ${path.relative(EDGE, target)}`)
      }
    }
    expect(broken).toEqual([])
  })

  it('nothing outside the wiring imports it', () => {
    const importers = [...graph].filter(([file, imports]) => {
      const importsWiring = imports.some((target) => layerOf(target).startsWith('wiring:'))
      return importsWiring && !layerOf(file).startsWith('wiring:')
    })
    expect(importers.map(([file]) => path.relative(EDGE, file))).toEqual([])
  })

  it('no import cycle between files', () => {
    const cycles: string[] = []
    const state = new Map<string, 'open' | 'done'>()
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return
      if (state.get(file) === 'open') {
        const loop = trail.slice(trail.indexOf(file)).concat(file)
        cycles.push(loop.map((f) => path.relative(EDGE, f)).join(' → '))
        return
      }
      state.set(file, 'open')
      for (const target of graph.get(file) ?? []) visit(target, [...trail, file])
      state.set(file, 'done')
    }
    for (const file of files) visit(file, [])
    expect(cycles).toEqual([])
  })

  it('sees the imports it judges', () => {
    // A rule over nothing cannot fail: the graph must hold edge/'s files and their imports.
    expect(files.length).toBeGreaterThan(50)
    const api = [...graph].filter(([file]) => layerOf(file) === 'api').flatMap(([, imports]) => imports)
    expect(api.map(layerOf)).toContain('db')
  })
})
