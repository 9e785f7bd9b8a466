import { describe, expect, it } from 'vitest'
import { toJsonSchema } from '../../../src/sandbox/emulator/openapi-check.js'
import { openapi } from './emulator-fixture.js'

describe('matching requests to the OpenAPI description', () => {
  it('prefers literal segments over parameters and lets file paths and refs span segments', () => {
    const { spec } = openapi()
    expect(spec.match('GET', '/repos/o/r/issues/comments/5')?.template).toBe(
      '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    )
    expect(spec.match('GET', '/repos/o/r/issues/5')?.params).toEqual({
      owner: 'o',
      repo: 'r',
      issue_number: '5',
    })
    expect(spec.match('GET', '/repos/o/r/contents/src/lib/a.ts')?.params.path).toBe('src/lib/a.ts')
    expect(spec.match('GET', '/repos/o/r/git/ref/heads%2Ffeature%2Fx')?.params.ref).toBe('heads/feature/x')
    expect(spec.match('GET', '/repos/o/r/git/ref/heads/feature/x')?.params.ref).toBe('heads/feature/x')
    expect(spec.match('GET', '/repos/o/r/no-such-thing')).toBeNull()
    expect(spec.match('BREW', '/repos/o/r')).toBeNull()
  })

  it('refuses a missing required field, a wrong type and a bad enum value the way GitHub words it', () => {
    const { spec, check } = openapi()
    const create = spec.match('POST', '/repos/o/r/issues')
    const list = spec.match('GET', '/repos/o/r/issues')
    const get = spec.match('GET', '/repos/o/r/issues/x')
    if (!create || !list || !get) throw new Error('the description lost the issue routes')
    expect(check.checkRequest(create, new URLSearchParams(), { title: 't' })).toBeNull()
    expect(check.checkRequest(create, new URLSearchParams(), { body: 'b' })?.message).toBe(
      'Invalid request.\n\n"title" wasn\'t supplied.',
    )
    expect(check.checkRequest(create, new URLSearchParams(), { title: 't', labels: 'x' })?.status).toBe(422)
    expect(check.checkRequest(list, new URLSearchParams('state=maybe'), undefined)?.status).toBe(422)
    expect(check.checkRequest(list, new URLSearchParams('per_page=ten'), undefined)?.status).toBe(422)
    expect(check.checkRequest(get, new URLSearchParams(), undefined)?.status).toBe(404)
  })

  it('checks responses against the schema of their status, and 2xx statuses the operation does not describe', () => {
    const { spec, check } = openapi()
    const label = spec.match('GET', '/repos/o/r/labels/bug')
    if (!label) throw new Error('the description lost the label route')
    const valid = {
      id: 1,
      node_id: 'LA_1',
      url: 'http://x/l',
      name: 'bug',
      color: 'ff0000',
      default: false,
      description: null,
    }
    expect(check.checkResponse(label, 200, valid)).toBeNull()
    expect(check.checkResponse(label, 200, { ...valid, id: 'one' })).toMatch(/\/id must be integer/)
    expect(check.checkResponse(label, 201, valid)).toMatch(/status 201 is not described/)
    expect(
      check.checkResponse(label, 404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest',
      }),
    ).toBeNull()
  })
})

describe('translating OpenAPI 3.0 schemas to JSON Schema', () => {
  it('turns nullable into a null type, keeps property names that look like keywords, and collects references', () => {
    const refs: string[] = []
    const schema = toJsonSchema(
      {
        type: 'object',
        properties: {
          nullable: { type: 'string', nullable: true, enum: ['a'] },
          owner: { $ref: '#/components/schemas/simple-user' },
          either: { nullable: true, allOf: [{ type: 'string' }] },
        },
        example: { ignored: true },
      },
      refs,
    )
    expect(schema).toEqual({
      type: 'object',
      properties: {
        nullable: { type: ['string', 'null'], enum: ['a', null] },
        owner: { $ref: 'https://emulator.invalid/schemas/simple-user' },
        either: { anyOf: [{ allOf: [{ type: 'string' }] }, { type: 'null' }] },
      },
    })
    expect(refs).toEqual(['simple-user'])
  })
})
