import { ElMessage } from 'element-plus'
import { ApiError, NetworkError } from '@/shell/api/client'
import { i18n } from '@/shell/i18n'

/** One line for a failed call, in the UI language; server text first (it is localised). */
export function describeError(e: unknown): string {
  const t = i18n.global.t
  if (e instanceof ApiError) {
    let msg = e.problem.detail || e.problem.title || ''
    if (!msg) {
      if (e.status === 403) msg = t('errors.forbidden')
      else if (e.status === 404) msg = t('errors.notFound')
      else if (e.status >= 500) msg = t('errors.server')
      else msg = `HTTP ${e.status}`
    }
    if (e.status >= 500 && e.requestId) msg += ` (${t('common.requestId', { id: e.requestId })})`
    return msg
  }
  if (e instanceof NetworkError) return t('errors.network')
  return (e as Error)?.message || String(e)
}

export function showError(e: unknown): void {
  if (e instanceof ApiError && e.status === 401) return // the 401 hook already went to login
  ElMessage({ type: 'error', message: describeError(e), showClose: true, duration: 6000 })
}
