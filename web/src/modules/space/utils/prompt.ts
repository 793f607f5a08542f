// Small dialogs asking for one value before an action (a date, a reason).
import { ElMessageBox } from 'element-plus'
import { i18n } from '@/shell/i18n'
import { todayCST } from './space'

/** Asks for a date (YYYY-MM-DD, today by default); null when cancelled. */
export async function promptDate(title: string, message: string): Promise<string | null> {
  const t = i18n.global.t
  try {
    const r = await ElMessageBox.prompt(message, title, {
      inputValue: todayCST(),
      inputPattern: /^\d{4}-\d{2}-\d{2}$/,
      inputErrorMessage: t('space.dateFormat'),
      confirmButtonText: t('common.confirm'),
      cancelButtonText: t('common.cancel'),
    })
    return (r as { value: string }).value
  } catch {
    return null
  }
}

/** Asks for a non-empty reason; null when cancelled. */
export async function promptReason(title: string, message: string): Promise<string | null> {
  const t = i18n.global.t
  try {
    const r = await ElMessageBox.prompt(message, title, {
      inputPattern: /\S/,
      inputErrorMessage: t('enterprises.reasonRequired'),
      confirmButtonText: t('common.confirm'),
      cancelButtonText: t('common.cancel'),
    })
    return (r as { value: string }).value.trim()
  } catch {
    return null
  }
}
