// The load cycle every record page (park, project, enterprise, space, demand) had written out:
// meta and regions first, then the record; again when the id changes; meta again in a new
// language. A failed load empties the record and keeps the reason for the page to show.
import { onMounted, ref, watch, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import type { ResourceRecord } from '@/shell/api/types'
import { useMeta } from '@/shell/stores/meta'
import { describeError, showError } from '@/shell/utils/errors'

/** One load with its state: `loading` around `fetch`; a failure runs `fail` (which empties what
 *  the page shows) and keeps the reason in `loadError`. Record and statistics pages share it. */
export function useLoadState(fetch: () => Promise<void>, fail: () => void) {
  const loading = ref(false)
  const loadError = ref('')
  async function run() {
    loading.value = true
    loadError.value = ''
    try {
      await fetch()
    } catch (e) {
      fail()
      loadError.value = describeError(e)
    } finally {
      loading.value = false
    }
  }
  return { loading, loadError, run }
}

export function useRecordLoad(opts: {
  id: Ref<string>
  record: Ref<ResourceRecord | null>
  /** loads the record (and whatever belongs with it) into the page's refs */
  fetch: () => Promise<void>
  /** after a successful load, with `loading` already off (e.g. a demand's matches) */
  after?: () => Promise<void>
  /** once, after the first load */
  mounted?: () => Promise<void>
  /** after meta is reloaded in a new language */
  onLocale?: () => void
}) {
  const { locale } = useI18n()
  const meta = useMeta()
  const { loading, loadError, run } = useLoadState(opts.fetch, () => (opts.record.value = null))

  async function load() {
    await run()
    if (opts.record.value && opts.after) await opts.after()
  }

  onMounted(async () => {
    await Promise.all([meta.ensureMeta(), meta.ensureRegions()]).catch(showError)
    await load()
    await opts.mounted?.()
  })
  watch(opts.id, load)
  watch(locale, async () => {
    await meta.ensureMeta().catch(showError)
    opts.onLocale?.()
  })
  return { loading, loadError, load }
}
