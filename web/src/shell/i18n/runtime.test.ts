// The app runs the runtime-only vue-i18n (vite.config.ts): it renders messages compiled at build
// time and has no compiler for strings. These run on that build, with the real message files.
import { describe, expect, it } from 'vitest'
import { i18n, setLang } from './index'

describe('precompiled messages on the runtime-only vue-i18n', () => {
  it('arrive compiled', () => {
    const zh = i18n.global.getLocaleMessage('zh-CN') as unknown as { common: { requestId: unknown } }
    expect(typeof zh.common.requestId).not.toBe('string')
  })
  it('fill named placeholders in both languages', () => {
    const t = i18n.global.t
    setLang('zh-CN')
    expect(t('common.requestId', { id: 'r-42' })).toBe('请求编号：r-42')
    expect(t('list.new', { what: '园区' })).toBe('新建园区')
    setLang('en')
    expect(t('common.requestId', { id: 'r-42' })).toBe('Request ID: r-42')
    setLang('zh-CN')
  })
  it('render messages of the modules, merged into the shell tree', () => {
    const t = i18n.global.t
    expect(t('nav.parks')).toBe('园区')
    expect(t('nav.account')).toBe('账号')
    expect(t('apt.nav.me')).toBe('我的入住')
    expect(i18n.global.te('nav.projects')).toBe(true)
  })
})
