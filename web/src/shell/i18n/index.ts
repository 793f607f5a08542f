import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import en from './en'
import { setApiLang, type Lang } from '@/shell/api/client'

export const LANGS: Lang[] = ['zh-CN', 'en']
const STORAGE_KEY = 'pb.lang'

export type MessageSchema = typeof zhCN

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

export const i18n = createI18n<[MessageSchema], Lang, false>({
  legacy: false,
  locale: initial,
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
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
