// The modules, in the order of the navigation. The shell takes routes, navigation entries and
// messages from here only: a new module is a folder under src/modules/ and one line below.
import type { PbModule } from '@/shell/module'
import { parks } from './parks'
import { space } from './space'
import { projects } from './projects'
import { core } from './core'
import { apartments } from './apartments'

export const MODULES: PbModule[] = [parks, space, projects, core, apartments]
