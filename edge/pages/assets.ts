import type { Context } from 'hono'
import { ApiError } from '../errors'
import type { AppEnv } from '../types'

// The pages' only script and stylesheet: files of this origin, so the CSP needs no inline allowance.

const APP_CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;background:#f5f7fa}
header{display:flex;gap:24px;align-items:center;padding:12px 24px;background:#1f3a5f;color:#fff}
header a{color:#dbe7f5;text-decoration:none}header a[aria-current]{color:#fff;font-weight:600}
header form{margin-left:auto}header button{background:none;border:1px solid #dbe7f5;color:#dbe7f5;padding:4px 10px}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 16px}h2{font-size:18px;margin:24px 0 8px}.card>h1:first-child,.card>h2:first-child{margin-top:0}
.card{background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:20px;margin-bottom:20px}
.field{margin-bottom:14px}.field>label{display:block;font-weight:600;margin-bottom:4px}
.field input[type=text],.field input[type=password],.field input[type=date],.field select{width:100%;max-width:460px;padding:7px 9px;border:1px solid #bcccdc;border-radius:4px;font:inherit}
.check{display:flex;gap:8px;align-items:center;margin-bottom:10px}
.hint{color:#627d98;font-size:13px;margin-top:3px}
.error{color:#b42318;font-size:13px;margin-top:4px}
[aria-invalid=true]{border-color:#b42318!important}
button,.button{display:inline-block;padding:8px 16px;border:0;border-radius:4px;background:#2f6fb2;color:#fff;font:inherit;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#e4ebf2;color:#1f3a5f}
button.danger{background:#b3261e}
.choice{border:0;padding:0;margin:0 0 12px}.choice legend{font-weight:600;margin-bottom:4px}.choice label{margin-right:18px}
.actions{display:flex;gap:10px;flex-wrap:wrap;align-items:center}
.notice{padding:10px 14px;border-radius:4px;margin-bottom:16px}
.ok{background:#e3f6e8;color:#14532d}.fail{background:#fdecea;color:#7f1d1d}.info{background:#e8f1fb;color:#1f3a5f}
pre{white-space:pre-wrap;word-break:break-all;background:#0f172a;color:#e2e8f0;padding:12px;border-radius:4px}
table{width:100%;border-collapse:collapse;background:#fff;font-size:14px}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid #e4ebf2;vertical-align:top}
th{background:#eef2f7;font-weight:600}
.muted{color:#829ab1}.nowrap{white-space:nowrap}
.filters{display:flex;gap:16px;align-items:flex-end;flex-wrap:wrap;margin-bottom:16px}
.filters .field{margin:0}
.pager{display:flex;gap:16px;margin-top:16px}
[hidden]{display:none!important}
.chart{margin:0 0 16px}.chart>svg{display:block;width:100%;height:auto}.chart text{font-size:11px;fill:#627d98}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;list-style:none;padding:0;margin:8px 0 0;font-size:13px}.legend svg{vertical-align:-2px;margin-right:6px}
.share{font-size:17px}.share strong{font-size:24px}
.tops .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:8px 24px}.top h3{font-size:15px;margin:12px 0 6px}
.url{word-break:break-all;max-width:360px}
.facts{width:auto;margin-bottom:12px}.facts th{background:none;font-weight:400;color:#627d98}
`

const APP_JS = `
document.addEventListener('click', function (event) {
  var button = event.target.closest('[data-copy]')
  if (!button) return
  var text = document.getElementById(button.getAttribute('data-copy')).textContent
  var done = function () { button.textContent = 'Скопировано' }
  navigator.clipboard.writeText(text).then(done, function () {
    var range = document.createRange()
    range.selectNodeContents(document.getElementById(button.getAttribute('data-copy')))
    getSelection().removeAllRanges()
    getSelection().addRange(range)
    if (document.execCommand('copy')) done()
  })
})
var bySource = document.querySelector('input[name=bySource][value=on]')
function showDefault() {
  document.querySelectorAll('[data-when]').forEach(function (el) {
    el.hidden = (el.getAttribute('data-when') === 'source') !== bySource.checked
  })
}
if (bySource) {
  document.querySelectorAll('input[name=bySource]').forEach(function (el) { el.addEventListener('change', showDefault) })
  showDefault()
}
// Only the runs block is fetched again while an import runs: the form keeps what is being typed.
function pollRuns(block) {
  if (!block || block.getAttribute('data-running') !== 'true') return
  setTimeout(function () {
    fetch(block.getAttribute('data-poll'), { credentials: 'same-origin' })
      .then(function (res) { return res.ok ? res.text() : Promise.reject(res.status) })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, 'text/html').getElementById('runs-block')
        if (!next) return
        block.replaceWith(next)
        pollRuns(next)
      }, function () {})
  }, 3000)
}
pollRuns(document.querySelector('[data-poll]'))
`

const DEMO_CSS = `
body{margin:0;font:16px/1.5 Georgia,serif;color:#23313f;background:#fbfaf7}
header{padding:28px 40px;background:#2c6e63;color:#fff}header h1{margin:0;font-size:30px}
main{max-width:860px;margin:0 auto;padding:32px 40px}
.medods-record-btn{padding:14px 26px;font:inherit;font-size:18px;color:#fff;background:#e2574c;border:0;border-radius:6px;cursor:pointer}
#booking-drawer{position:fixed;top:0;right:0;bottom:0;width:min(460px,100%);background:#fff;box-shadow:-8px 0 24px rgba(0,0,0,.2);display:flex;flex-direction:column}
#booking-drawer[hidden]{display:none}
#booking-drawer .bar{display:flex;justify-content:space-between;align-items:center;padding:10px 16px;border-bottom:1px solid #ddd}
#booking-drawer iframe{flex:1;border:0;width:100%}
`

const DEMO_JS = `
var drawer = document.getElementById('booking-drawer')
var frame = drawer.querySelector('iframe')
document.addEventListener('click', function (event) {
  if (event.target.closest('.medods-record-btn')) {
    if (!frame.getAttribute('src')) frame.setAttribute('src', drawer.getAttribute('data-src'))
    drawer.hidden = false
  }
  if (event.target.closest('[data-close]')) drawer.hidden = true
})
`

const FILES: Record<string, { body: string; type: string }> = {
  'app.css': { body: APP_CSS, type: 'text/css; charset=utf-8' },
  'app.js': { body: APP_JS, type: 'text/javascript; charset=utf-8' },
  'demo.css': { body: DEMO_CSS, type: 'text/css; charset=utf-8' },
  'demo.js': { body: DEMO_JS, type: 'text/javascript; charset=utf-8' },
}

/** `GET …/assets/:file` for the given files, cached briefly (they change with a deploy). */
export const serveAssets = (names: string[]) => (c: Context<AppEnv>) => {
  const name = c.req.param('file') ?? ''
  const file = names.includes(name) ? FILES[name] : undefined
  if (!file) throw new ApiError('not_found', 'No such file')
  return c.body(file.body, 200, { 'content-type': file.type, 'cache-control': 'public, max-age=300' })
}
