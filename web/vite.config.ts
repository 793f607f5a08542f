/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// The server's Content-Security-Policy forbids inline scripts and <style> elements that are
// not files of our own origin, and data: fonts. So: CSS goes to .css files, no asset is
// inlined as a data: URL, and index.html carries no inline code.
//
// Messages are compiled to functions at build time (the JSON files under src/**/i18n/), so the
// bundle carries the runtime-only vue-i18n (the plugin aliases it, for the tests too) and no
// message compiler.
// Element Plus components and their CSS are imported by the SFCs that use them (and v-loading
// where it is used), so that each page's chunk carries its own and the first load only the
// shell's; the services used from scripts (ElMessage, ElMessageBox) get their CSS in main.ts.
export default defineConfig({
  plugins: [
    vue(),
    Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false }),
    VueI18nPlugin({
      include: [fileURLToPath(new URL('./src/**/i18n/*.json', import.meta.url))],
      runtimeOnly: true,
      dropMessageCompiler: true,
      compositionOnly: true,
      fullInstall: true,
      strictMessage: false,
      escapeHtml: false,
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    __VUE_OPTIONS_API__: 'true',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    cssCodeSplit: true,
    chunkSizeWarningLimit: 1200,
    modulePreload: { polyfill: false },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
})
