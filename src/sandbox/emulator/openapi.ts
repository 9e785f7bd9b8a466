/** The loaded OpenAPI description and its checker, shareable between emulators of one process. */
import { createOpenApiCheck, type OpenApiCheck } from './openapi-check.js'
import { loadOpenApiSpec, type OpenApiSpec } from './openapi-spec.js'

/** The description and the validators compiled from it. */
export interface OpenApi {
  spec: OpenApiSpec
  check: OpenApiCheck
}

/** Loads GitHub's description from `@octokit/openapi`; validators compile lazily on first use. */
export function loadOpenApi(): OpenApi {
  const spec = loadOpenApiSpec()
  return { spec, check: createOpenApiCheck(spec) }
}
