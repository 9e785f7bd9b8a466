/**
 * GitHub Actions expressions (`${{ ... }}`): a parser and evaluator for the part of the language that
 * workflows use here: literals, contexts with `.x` and `['x']` access, `!`, comparisons, `&&`, `||`,
 * parentheses, status functions and a few string functions, with GitHub's coercion rules.
 */

/** A value an expression can produce. */
export type ExpressionValue =
  null | boolean | number | string | ExpressionValue[] | { [key: string]: ExpressionValue }

/** What an expression can see: named contexts, and the job's status for the status functions. */
export interface ExpressionScope {
  contexts: Record<string, ExpressionValue>
  status?: { failed: boolean; cancelled: boolean }
}

/** An expression that cannot be parsed or evaluated; its message is GitHub's wording where there is one. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly expression: string,
  ) {
    super(`${message}. Located within expression: ${expression}`)
    this.name = 'ExpressionError'
  }
}

type Token =
  | { kind: 'number'; value: number; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'name'; value: string; at: number }
  | { kind: 'op'; value: string; at: number }

type Node =
  | { type: 'literal'; value: ExpressionValue }
  | { type: 'context'; name: string }
  | { type: 'member'; object: Node; key: Node }
  | { type: 'filter'; object: Node }
  | { type: 'call'; name: string; args: Node[] }
  | { type: 'not'; operand: Node }
  | { type: 'binary'; op: string; left: Node; right: Node }

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', '.', ',', '*']

function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < source.length) {
    const char = source[i] ?? ''
    if (/\s/.test(char)) {
      i += 1
      continue
    }
    if (char === "'") {
      let value = ''
      let j = i + 1
      for (;;) {
        if (j >= source.length)
          throw new ExpressionError(
            `Unexpected end of expression: unterminated string at position ${i + 1}`,
            source,
          )
        if (source[j] === "'") {
          if (source[j + 1] === "'") {
            value += "'"
            j += 2
            continue
          }
          break
        }
        value += source[j]
        j += 1
      }
      tokens.push({ kind: 'string', value, at: i })
      i = j + 1
      continue
    }
    const previous = tokens[tokens.length - 1]
    const negativeAllowed =
      !previous || (previous.kind === 'op' && previous.value !== ')' && previous.value !== ']')
    const number = /^(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:e[+-]?\d+)?)/.exec(
      char === '-' && negativeAllowed ? source.slice(i + 1) : source.slice(i),
    )
    if (number && (char !== '-' || negativeAllowed)) {
      const text = number[0]
      const magnitude = text.startsWith('0x') ? Number.parseInt(text.slice(2), 16) : Number(text)
      tokens.push({ kind: 'number', value: char === '-' ? -magnitude : magnitude, at: i })
      i += text.length + (char === '-' ? 1 : 0)
      continue
    }
    const name = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(source.slice(i))
    if (name) {
      tokens.push({ kind: 'name', value: name[0], at: i })
      i += name[0].length
      continue
    }
    const op = OPERATORS.find((candidate) => source.startsWith(candidate, i))
    if (!op) throw new ExpressionError(`Unexpected symbol: '${char}' at position ${i + 1}`, source)
    tokens.push({ kind: 'op', value: op, at: i })
    i += op.length
  }
  return tokens
}

function parse(source: string): Node {
  const tokens = tokenize(source)
  let position = 0
  const peek = () => tokens[position]
  const isOp = (value: string) => {
    const token = peek()
    return token?.kind === 'op' && token.value === value
  }
  const expect = (value: string) => {
    if (!isOp(value)) {
      const token = peek()
      throw new ExpressionError(
        token
          ? `Unexpected symbol: '${String(token.value)}' at position ${token.at + 1}`
          : 'Unexpected end of expression',
        source,
      )
    }
    position += 1
  }

  const binary =
    (next: () => Node, ops: string[]): (() => Node) =>
    () => {
      let left = next()
      for (;;) {
        const token = peek()
        if (token?.kind !== 'op' || !ops.includes(token.value)) return left
        position += 1
        left = { type: 'binary', op: token.value, left, right: next() }
      }
    }

  const primary = (): Node => {
    const token = peek()
    if (!token) throw new ExpressionError('Unexpected end of expression', source)
    position += 1
    if (token.kind === 'number' || token.kind === 'string') return { type: 'literal', value: token.value }
    if (token.kind === 'op') {
      if (token.value === '(') {
        const inner = or()
        expect(')')
        return inner
      }
      throw new ExpressionError(`Unexpected symbol: '${token.value}' at position ${token.at + 1}`, source)
    }
    if (token.value === 'true' || token.value === 'false')
      return { type: 'literal', value: token.value === 'true' }
    if (token.value === 'null') return { type: 'literal', value: null }
    if (isOp('(')) {
      position += 1
      const args: Node[] = []
      if (!isOp(')')) {
        args.push(or())
        while (isOp(',')) {
          position += 1
          args.push(or())
        }
      }
      expect(')')
      return { type: 'call', name: token.value, args }
    }
    return { type: 'context', name: token.value }
  }

  const postfix = (): Node => {
    let node = primary()
    for (;;) {
      if (isOp('.')) {
        position += 1
        // An object filter: `labels.*.name` is the `name` of every element.
        // https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#object-filters
        if (isOp('*')) {
          position += 1
          node = { type: 'filter', object: node }
          continue
        }
        const key = peek()
        if (key?.kind !== 'name') throw new ExpressionError('Expected a property name after "."', source)
        position += 1
        node = { type: 'member', object: node, key: { type: 'literal', value: key.value } }
      } else if (isOp('[')) {
        position += 1
        const key = or()
        expect(']')
        node = { type: 'member', object: node, key }
      } else {
        return node
      }
    }
  }

  const unary = (): Node => {
    if (isOp('!')) {
      position += 1
      return { type: 'not', operand: unary() }
    }
    return postfix()
  }

  const comparison = binary(unary, ['<', '<=', '>', '>='])
  const equality = binary(comparison, ['==', '!='])
  const and = binary(equality, ['&&'])
  const or: () => Node = binary(and, ['||'])

  const tree = or()
  const rest = peek()
  if (rest)
    throw new ExpressionError(`Unexpected symbol: '${String(rest.value)}' at position ${rest.at + 1}`, source)
  return tree
}

/** GitHub's truthiness: null, false, 0, NaN and '' are false. */
export function isTruthy(value: ExpressionValue): boolean {
  if (value === null || value === false || value === '') return false
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value)
  return true
}

/** How a value reads when interpolated into text. */
export function expressionToString(value: ExpressionValue): string {
  if (value === null) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'boolean' || typeof value === 'number') return String(value)
  return JSON.stringify(value, null, 2)
}

function toNumber(value: ExpressionValue): number {
  if (value === null) return 0
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'number') return value
  if (typeof value === 'string') return value.trim() === '' ? 0 : Number(value)
  return Number.NaN
}

function looseEquals(left: ExpressionValue, right: ExpressionValue): boolean {
  if (typeof left === 'string' && typeof right === 'string') return left.toLowerCase() === right.toLowerCase()
  if (typeof left === 'object' || typeof right === 'object') {
    if (left === null && right === null) return true
    if (left === null || right === null) return toNumber(left) === toNumber(right)
    return left === right
  }
  if (typeof left === typeof right) return left === right
  return toNumber(left) === toNumber(right)
}

function compare(op: string, left: ExpressionValue, right: ExpressionValue): boolean {
  let a: number | string
  let b: number | string
  if (typeof left === 'string' && typeof right === 'string') {
    a = left.toLowerCase()
    b = right.toLowerCase()
  } else {
    a = toNumber(left)
    b = toNumber(right)
    if (Number.isNaN(a) || Number.isNaN(b)) return false
  }
  if (op === '<') return a < b
  if (op === '<=') return a <= b
  if (op === '>') return a > b
  return a >= b
}

function member(object: ExpressionValue, key: ExpressionValue): ExpressionValue {
  if (Array.isArray(object)) {
    const index = toNumber(key)
    return Number.isInteger(index) ? (object[index] ?? null) : null
  }
  if (object === null || typeof object !== 'object') return null
  const name = expressionToString(key)
  if (Object.hasOwn(object, name)) return object[name] ?? null
  // Context property names are case-insensitive on GitHub.
  const found = Object.keys(object).find((candidate) => candidate.toLowerCase() === name.toLowerCase())
  return found === undefined ? null : (object[found] ?? null)
}

function format(template: string, args: ExpressionValue[], source: string): string {
  return template.replace(/\{\{|\}\}|\{(\d+)\}/g, (match, index: string | undefined) => {
    if (match === '{{') return '{'
    if (match === '}}') return '}'
    const value = args[Number(index)]
    if (value === undefined)
      throw new ExpressionError(
        `The following format string references more arguments than were supplied: ${template}`,
        source,
      )
    return expressionToString(value)
  })
}

/** Whether a node's value is the array an object filter made (its members map over the elements). */
function filtered(node: Node): boolean {
  return node.type === 'filter' || (node.type === 'member' && filtered(node.object))
}

function evaluate(node: Node, scope: ExpressionScope, source: string): ExpressionValue {
  switch (node.type) {
    case 'literal':
      return node.value
    case 'context': {
      const contexts = scope.contexts
      if (!Object.hasOwn(contexts, node.name)) {
        throw new ExpressionError(`Unrecognized named-value: '${node.name}'`, source)
      }
      return contexts[node.name] ?? null
    }
    case 'member': {
      const object = evaluate(node.object, scope, source)
      const key = evaluate(node.key, scope, source)
      if (filtered(node.object)) return Array.isArray(object) ? object.map((item) => member(item, key)) : []
      return member(object, key)
    }
    case 'filter': {
      const object = evaluate(node.object, scope, source)
      if (Array.isArray(object)) return object
      return object !== null && typeof object === 'object' ? Object.values(object) : []
    }
    case 'not':
      return !isTruthy(evaluate(node.operand, scope, source))
    case 'binary': {
      const left = evaluate(node.left, scope, source)
      if (node.op === '&&') return isTruthy(left) ? evaluate(node.right, scope, source) : left
      if (node.op === '||') return isTruthy(left) ? left : evaluate(node.right, scope, source)
      const right = evaluate(node.right, scope, source)
      if (node.op === '==') return looseEquals(left, right)
      if (node.op === '!=') return !looseEquals(left, right)
      return compare(node.op, left, right)
    }
    case 'call': {
      const name = node.name.toLowerCase()
      const status = scope.status ?? { failed: false, cancelled: false }
      const args = () => node.args.map((arg) => evaluate(arg, scope, source))
      const arity = (count: number) => {
        if (node.args.length !== count) {
          throw new ExpressionError(
            `Function '${node.name}' takes ${count} argument(s), got ${node.args.length}`,
            source,
          )
        }
      }
      switch (name) {
        case 'success':
          arity(0)
          return !status.failed && !status.cancelled
        case 'failure':
          arity(0)
          return status.failed && !status.cancelled
        case 'cancelled':
          arity(0)
          return status.cancelled
        case 'always':
          arity(0)
          return true
        case 'contains': {
          arity(2)
          const [haystack = null, needle = null] = args()
          if (Array.isArray(haystack)) return haystack.some((item) => looseEquals(item, needle))
          return expressionToString(haystack).toLowerCase().includes(expressionToString(needle).toLowerCase())
        }
        case 'startswith':
        case 'endswith': {
          arity(2)
          const [text = null, affix = null] = args().map((value) => expressionToString(value).toLowerCase())
          return name === 'startswith'
            ? String(text).startsWith(String(affix))
            : String(text).endsWith(String(affix))
        }
        case 'format': {
          const [template = null, ...rest] = args()
          return format(expressionToString(template), rest, source)
        }
        case 'tojson':
          arity(1)
          return JSON.stringify(args()[0] ?? null, null, 2)
        case 'fromjson': {
          arity(1)
          const text = expressionToString(args()[0] ?? null)
          try {
            return JSON.parse(text) as ExpressionValue
          } catch (error) {
            throw new ExpressionError(`Error parsing fromJson: ${(error as Error).message}`, source)
          }
        }
        default:
          throw new ExpressionError(`Unrecognized function: '${node.name}'`, source)
      }
    }
  }
}

function usesStatusFunction(node: Node): boolean {
  switch (node.type) {
    case 'call':
      return (
        ['success', 'failure', 'cancelled', 'always'].includes(node.name.toLowerCase()) ||
        node.args.some(usesStatusFunction)
      )
    case 'member':
      return usesStatusFunction(node.object) || usesStatusFunction(node.key)
    case 'not':
      return usesStatusFunction(node.operand)
    case 'binary':
      return usesStatusFunction(node.left) || usesStatusFunction(node.right)
    default:
      return false
  }
}

/** Evaluates one expression (the text between `${{` and `}}`). */
export function evaluateExpression(source: string, scope: ExpressionScope): ExpressionValue {
  return evaluate(parse(source), scope, source)
}

/** Checks that an expression parses, without evaluating it; throws ExpressionError otherwise. */
export function checkExpression(source: string): void {
  parse(source)
}

/** Replaces every `${{ expression }}` in a text with its value as text. */
export function interpolate(template: string, scope: ExpressionScope): string {
  let out = ''
  let index = 0
  for (;;) {
    const start = template.indexOf('${{', index)
    if (start < 0) return out + template.slice(index)
    const end = findClose(template, start + 3)
    if (end < 0)
      throw new ExpressionError('Unterminated expression: "${{" without "}}"', template.slice(start))
    out +=
      template.slice(index, start) +
      expressionToString(evaluateExpression(template.slice(start + 3, end), scope))
    index = end + 2
  }
}

/** The index of the `}}` closing an expression that starts at `from`, skipping string literals. */
function findClose(template: string, from: number): number {
  let inString = false
  for (let i = from; i < template.length; i += 1) {
    if (template[i] === "'") inString = !inString
    else if (!inString && template.startsWith('}}', i)) return i
  }
  return -1
}

/**
 * Evaluates a step's `if:` as GitHub does: the `${{ }}` wrapper is optional, and a condition without a
 * status function means `success() && (condition)`; no condition means `success()`.
 */
export function evaluateCondition(condition: string | undefined, scope: ExpressionScope): boolean {
  let source = (condition ?? '').trim()
  if (source.startsWith('${{') && source.endsWith('}}') && findClose(source, 3) === source.length - 2) {
    source = source.slice(3, -2).trim()
  }
  if (source === '') source = 'success()'
  const tree = parse(source)
  const value = evaluate(tree, scope, source)
  if (usesStatusFunction(tree)) return isTruthy(value)
  const status = scope.status ?? { failed: false, cancelled: false }
  return !status.failed && !status.cancelled && isTruthy(value)
}
