/**
 * Where a path of a YAML document (`budgets.iterations`, `commands.deny[1]`) stands in its text: the node
 * positions are rebuilt from js-yaml's documented `listener` events while it loads the document.
 */
import type { PathKey } from './config-issues.js'

interface YamlNode {
  start: number
  end: number
  kind: string | null
  result: unknown
  children: YamlNode[]
}

interface ListenerState {
  position: number
  kind: string | null
  result: unknown
}

/**
 * The node positions of a YAML document, rebuilt from js-yaml's open/close events, so an error at
 * a path (`budgets.iterations`) can name the line of its key or value.
 */
export class YamlTree {
  private readonly stack: YamlNode[] = []
  private root: YamlNode | undefined
  private readonly lineStarts: number[] = [0]

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.lineStarts.push(i + 1)
  }

  readonly listener = (event: 'open' | 'close', state: ListenerState): void => {
    if (event === 'open') {
      this.stack.push({
        start: state.position,
        end: state.position,
        kind: null,
        result: undefined,
        children: [],
      })
      return
    }
    const node = this.stack.pop()
    if (node === undefined) return
    node.end = state.position
    node.kind = state.kind
    node.result = state.result
    const parent = this.stack.at(-1)
    if (parent) parent.children.push(node)
    else this.root ??= node
  }

  /** The line (and column) of the key at `path`, or of the nearest enclosing entry that exists. */
  locate(path: readonly PathKey[]): { line: number; column?: number } {
    let node = this.root === undefined ? undefined : collapse(this.root)
    let position: number | undefined
    for (const key of path) {
      if (node === undefined) break
      const found = childAt(node, key)
      if (found === undefined) break
      position = (found.key ?? found.value).start
      node = found.value
    }
    if (position === undefined) return { line: 1 }
    return this.lineAndColumn(this.skipBlank(position))
  }

  /** Skips the spaces, line breaks and comments that js-yaml's reported start may include. */
  private skipBlank(position: number): number {
    let at = position
    while (at < this.text.length) {
      const char = this.text[at]
      if (char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === ',') at++
      else if (char === '#') {
        while (at < this.text.length && this.text[at] !== '\n') at++
      } else break
    }
    return at
  }

  private lineAndColumn(position: number): { line: number; column: number } {
    let low = 0
    let high = this.lineStarts.length - 1
    while (low < high) {
      const middle = Math.ceil((low + high) / 2)
      if ((this.lineStarts[middle] ?? 0) <= position) low = middle
      else high = middle - 1
    }
    return { line: low + 1, column: position - (this.lineStarts[low] ?? 0) + 1 }
  }
}

/** js-yaml wraps some nodes in another with the same result; the inner one is the real node. */
function collapse(node: YamlNode): YamlNode {
  let current = node
  while (current.children.length === 1) {
    const child = current.children[0]!
    if (child.result !== current.result || child.kind !== current.kind) break
    current = child
  }
  return current
}

/** The entry at `key` of a mapping (key and value nodes) or a sequence (value node). */
function childAt(node: YamlNode, key: PathKey): { key?: YamlNode; value: YamlNode } | undefined {
  if (node.kind === 'mapping') {
    for (let i = 0; i + 1 < node.children.length; i += 2) {
      const keyNode = collapse(node.children[i]!)
      if (String(keyNode.result) === String(key))
        return { key: keyNode, value: collapse(node.children[i + 1]!) }
    }
    return undefined
  }
  if (node.kind === 'sequence' && typeof key === 'number') {
    const item = node.children[key]
    return item === undefined ? undefined : { value: collapse(item) }
  }
  return undefined
}
