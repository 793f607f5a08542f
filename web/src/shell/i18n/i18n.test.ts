import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { NAV } from '@/shell/nav'
import { MODULES } from '@/modules'
import type { Messages } from '@/shell/module'
import { mergeMessages } from './index'

type Tree = { [k: string]: string | Tree }

function flatten(t: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(t)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'string') out.set(key, v)
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv)
  }
  return out
}

// The source text, merged as the app merges it (shell, then the modules in order): imported, the
// files would arrive compiled to functions (vite.config.ts).
function source(lang: string): Tree {
  const read = (dir: string): Messages => JSON.parse(readFileSync(join(__dirname, '..', '..', dir, 'i18n', `${lang}.json`), 'utf8'))
  return MODULES.reduce((acc, m) => mergeMessages(acc, read(join('modules', m.name))), read('shell')) as Tree
}
const zhCN = source('zh-CN')
const en = source('en')
const zh = flatten(zhCN)
const enm = flatten(en)
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('zh-CN and en messages', () => {
  it('have the same keys', () => {
    const missingInEn = [...zh.keys()].filter((k) => !enm.has(k))
    const missingInZh = [...enm.keys()].filter((k) => !zh.has(k))
    expect(missingInEn).toEqual([])
    expect(missingInZh).toEqual([])
    expect(zh.size).toBeGreaterThan(50)
  })
  it('use the same placeholders in each message', () => {
    const bad = [...zh.keys()].filter((k) => placeholders(zh.get(k)!).join() !== placeholders(enm.get(k) ?? '').join())
    expect(bad).toEqual([])
  })
  it('have no empty message, and no vue-i18n special character by accident', () => {
    for (const m of [zh, enm]) {
      for (const [k, v] of m) {
        expect(v.trim(), k).not.toBe('')
        expect(/[@|$]/.test(v), `${k}: ${v}`).toBe(false)
      }
    }
  })
  it('English is English: no Chinese outside the language names and the brand', () => {
    const allowed = new Set(['lang.zh-CN', 'app.subtitle'])
    const cjk = [...enm].filter(([k, v]) => !allowed.has(k) && /[\u4e00-\u9fff]/.test(v)).map(([k]) => k)
    expect(cjk).toEqual([])
  })
  it('name the roles as the programme does', () => {
    expect(zhCN.roles).toEqual({
      admin: '平台管理员',
      city: '市园区办',
      region: '县区园区办',
      operator: '园区运营方',
      enterprise: '企业',
      viewer: '领导查看',
      auditor: '审计员',
      apartment_desk: '人才公寓前台',
      applicant: '人才公寓申请人',
    })
    expect(Object.keys(en.roles).sort()).toEqual(Object.keys(zhCN.roles).sort())
  })
  it('have a label for every navigation entry', () => {
    for (const n of NAV) {
      expect(zh.has(n.label), n.label).toBe(true)
      expect(enm.has(n.label), n.label).toBe(true)
    }
  })
})

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) files(p, out)
    else if (/\.(vue|ts)$/.test(name) && !/\.test\.ts$/.test(name)) out.push(p)
  }
  return out
}

describe('components', () => {
  it('show no hard-coded Chinese: all UI text goes through the messages', () => {
    const src = join(__dirname, '..', '..')
    const offenders: string[] = []
    for (const f of files(src)) {
      if (/\/i18n\//.test(f)) continue
      let text = readFileSync(f, 'utf8')
      // comments may be in Chinese; code and templates may not
      text = text.replace(/<!--[\s\S]*?-->/g, '').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"])\/\/.*$/gm, '$1')
      text.split('\n').forEach((line, i) => {
        if (/[\u4e00-\u9fff]/.test(line)) offenders.push(`${f}:${i + 1}: ${line.trim()}`)
      })
    }
    expect(offenders).toEqual([])
  })
})
