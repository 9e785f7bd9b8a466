/**
 * The role catalogue: the seven roles of the seed, each with a prompt, tools and kind of output.
 */

/** A role name: a lowercase slug short enough that `gastown:role/<name>` fits GitHub's 50-character labels. */
export const ROLE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,36}$/
