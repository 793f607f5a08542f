// Generic resource calls (docs/api.md "Collections"), shared by every record type.
import { api, rawRequest, dispositionFilename, type Query } from './client'
import type { Page, ResourceRecord } from './types'

export interface Loaded<T> {
  record: T
  etag: string | null
}

export async function listResource<T = ResourceRecord>(resource: string, query: Query): Promise<Page<T>> {
  const r = await api.get<Page<T>>(`/${resource}`, { query })
  return r.data
}

export async function getResource<T = ResourceRecord>(resource: string, id: string | number, query?: Query): Promise<Loaded<T>> {
  const r = await api.get<T>(`/${resource}/${encodeURIComponent(String(id))}`, { query })
  return { record: r.data, etag: r.etag }
}

export async function createResource<T = ResourceRecord>(resource: string, body: Record<string, unknown>): Promise<Loaded<T>> {
  const r = await api.post<T>(`/${resource}`, body)
  return { record: r.data, etag: r.etag }
}

export async function updateResource<T = ResourceRecord>(
  resource: string,
  id: string | number,
  patch: Record<string, unknown>,
  etag: string | null,
): Promise<Loaded<T>> {
  const r = await api.patch<T>(`/${resource}/${encodeURIComponent(String(id))}`, patch, etag)
  return { record: r.data, etag: r.etag }
}

export async function archiveResource(resource: string, id: string | number, etag: string | null): Promise<void> {
  await api.del(`/${resource}/${encodeURIComponent(String(id))}`, etag)
}

/** Downloads /{resource}/export as a file: fetch (so errors come back as problem+json in the
 *  UI language) and a blob link (so the browser saves it under the server's file name). */
export async function exportResource(resource: string, format: 'csv' | 'xlsx', query: Query): Promise<string> {
  const res = await rawRequest('GET', `/${resource}/export`, {
    query: { ...query, format },
    headers: { Accept: format === 'csv' ? 'text/csv, application/problem+json' : '*/*' },
  })
  const blob = await res.blob()
  const name = dispositionFilename(res.headers.get('Content-Disposition'), `${resource}.${format}`)
  const url = URL.createObjectURL(blob)
  try {
    const a = document.createElement('a')
    a.href = url
    a.download = name
    a.rel = 'noopener'
    document.body.appendChild(a)
    a.click()
    a.remove()
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 30_000)
  }
  return name
}
