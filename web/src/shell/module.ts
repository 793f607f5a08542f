// What a module hands the shell: its routes, its navigation entries and its messages. The shell
// assembles them from the list in src/modules/index.ts, so a new module is a folder and one line.
import type { Component } from 'vue'
import type { RouteRecordRaw } from 'vue-router'
import type { Gate } from './policy'

export type Messages = { [key: string]: string | Messages }

export interface NavItem extends Gate {
  key: string
  to: string
  /** i18n key of the label */
  label: string
  icon: Component
  /** listed before every module's entries: the landing page of the roles it admits */
  first?: boolean
}

export interface PbModule {
  name: string
  /** pages inside the shell (signed in) */
  routes: RouteRecordRaw[]
  /** pages outside it, open without a session */
  publicRoutes?: RouteRecordRaw[]
  nav: NavItem[]
  messages: { 'zh-CN': Messages; en: Messages }
}
