/** Writes report.json, report.md and report.html into a directory; answers the files written. */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { TownSummary } from '../town-events.js'
import { renderHtml } from './report-html.js'
import { renderMarkdown } from './report-markdown.js'

/** Writes the three report files, creating the directory if needed. */
export async function writeReport(summary: TownSummary, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true })
  const files: [string, string][] = [
    ['report.json', `${JSON.stringify({ ...summary, reportDir: dir }, null, 2)}\n`],
    ['report.md', renderMarkdown(summary)],
    ['report.html', renderHtml(summary)],
  ]
  const written: string[] = []
  for (const [name, text] of files) {
    const file = path.join(dir, name)
    await writeFile(file, text)
    written.push(file)
  }
  return written
}
