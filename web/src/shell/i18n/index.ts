// UI text, zh-CN first: the shell's messages (zh-CN.json, en.json here) and each module's
// (src/modules/<name>/i18n/), merged into one tree per language. Terms follow
// shared/domain/glossary.md; every key exists in both languages with the same placeholders
// (i18n.test.ts).
import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN.json'
import en from './en.json'
import { setApiLang, type Lang } from '@/shell/api/client'
import type { Messages } from '@/shell/module'
import { MODULES } from '@/modules'

export const LANGS: Lang[] = ['zh-CN', 'en']
const STORAGE_KEY = 'pb.lang'

/** `into` with `from` merged in, key by key (a module adds its `nav` labels beside the shell's) */
export function mergeMessages(into: Messages, from: Messages): Messages {
  const out: Messages = { ...into }
  for (const [k, v] of Object.entries(from)) {
    const have = out[k]
    out[k] = typeof v === 'object' && typeof have === 'object' ? mergeMessages(have, v) : v
  }
  return out
}

function allMessages(lang: Lang): Messages {
  return MODULES.reduce((acc, m) => mergeMessages(acc, m.messages[lang]), lang === 'en' ? (en as Messages) : (zhCN as Messages))
}

function storedLang(): Lang {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY)
    if (v === 'en' || v === 'zh-CN') return v
  } catch {
    /* private mode: default */
  }
  return 'zh-CN'
}

const initial = storedLang()
setApiLang(initial)

export const i18n = createI18n({
  legacy: false,
  locale: initial,
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': allMessages('zh-CN'), en: allMessages('en') },
  missingWarn: false,
  fallbackWarn: false,
})

export function currentLang(): Lang {
  return i18n.global.locale.value as Lang
}

export function setLang(lang: Lang): void {
  i18n.global.locale.value = lang
  setApiLang(lang)
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, lang)
  } catch {
    /* ignore */
  }
  if (typeof document !== 'undefined') document.documentElement.lang = lang
}

if (typeof document !== 'undefined') document.documentElement.lang = initial
