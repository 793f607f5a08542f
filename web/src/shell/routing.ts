// Route builders the modules share: a page with its gate and title, the generic list page of a
// resource, and the generic new/edit forms. A gate is a policy need (GET /meta `policy`) or,
// where the server has no policy key for the page yet, an explicit role list.
import type { RouteComponent, RouteRecordRaw } from 'vue-router'
import type { Role } from './api/types'
import type { Gate, Need } from './policy'

declare module 'vue-router' {
  interface RouteMeta extends Gate {
    public?: boolean
    /** i18n key of the page title */
    title?: string
  }
}

type Lazy = RouteComponent | (() => Promise<unknown>)

export const read = (policy: string): Need => ({ policy, action: 'read' })
export const create = (policy: string): Need => ({ policy, action: 'create' })
export const update = (policy: string): Need => ({ policy, action: 'update' })

/** a gate from a need or a role list; undefined: anyone signed in */
export type GateSpec = Need | Role[] | undefined

function gate(g: GateSpec): Gate {
  if (!g) return {}
  return Array.isArray(g) ? { roles: g } : { need: g }
}

const ListPage = () => import('./pages/ListPage.vue')
const FormPage = () => import('./pages/ResourceFormPage.vue')

/** a page of the shell: who may open it and the i18n key of its title */
export function page(path: string, name: string, component: Lazy, who: GateSpec, title: string, props?: Record<string, unknown>): RouteRecordRaw {
  return { path, name, component: component as RouteComponent, ...(props ? { props } : {}), meta: { ...gate(who), title } }
}

/** the generic list page of a resource, named like its path, titled by its `title` */
export function listPage(path: string, who: GateSpec, props: Record<string, unknown> & { title: string }): RouteRecordRaw {
  return page(path, path, ListPage, who, props.title, props)
}

/** new and edit routes of a resource edited with the generic form; `policy` is the server's
 *  policy key of the resource (a resource's own name unless it belongs to another's key) */
export function formRoutes(path: string, name: string, resource: string, list: string, detail = '', policy = resource): RouteRecordRaw[] {
  const props = { resource, list, detail }
  return [
    page(`${path}/new`, `${name}-new`, FormPage, create(policy), 'list.form', props),
    page(`${path}/:id/edit`, `${name}-edit`, FormPage, update(policy), 'list.form', props),
  ]
}

/** the generic form with a page's own titles (parks) */
export function formPage(path: string, name: string, who: GateSpec, title: string, props: Record<string, unknown>): RouteRecordRaw {
  return page(path, name, FormPage, who, title, props)
}
