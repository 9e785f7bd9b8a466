/**
 * The command policy: regular expressions that a command may not match. It catches a model's
 * mistakes (pushing, sudo) early with a clear reason; it is not the security boundary, which is the
 * scrubbed environment and the validation of effects afterwards.
 */

/** The deny list when the configuration gives none. */
export const DEFAULT_COMMAND_DENY: readonly string[] = ['\\bgit\\s+push\\b', '\\bsudo\\b']

/** Deny patterns, as regular expressions or their source text. */
export interface CommandPolicy {
  deny: readonly (string | RegExp)[]
}

/** Compiles the policy once; a pattern that is not a valid regular expression throws and names it. */
export function compileCommandPolicy(policy: CommandPolicy): RegExp[] {
  return policy.deny.map((pattern) => {
    if (pattern instanceof RegExp) return pattern
    try {
      return new RegExp(pattern)
    } catch (error) {
      throw new Error(`command policy: ${JSON.stringify(pattern)} is not a valid regular expression`, {
        cause: error,
      })
    }
  })
}

/** The first deny pattern that `command` matches, or undefined when the command is allowed. */
export function findDeniedPattern(command: string, deny: readonly RegExp[]): RegExp | undefined {
  return deny.find((pattern) => {
    // A global or sticky pattern keeps state between tests; reset it so each check stands alone.
    pattern.lastIndex = 0
    return pattern.test(command)
  })
}
