/** GitHub's page-number pagination: `per_page` (default 30, at most 100), `page`, and a `Link` header. */

/** One page of a list and the `Link` header pointing at its neighbours. */
export interface Page<T> {
  items: T[]
  link: string | undefined
}

/** Cuts `items` to the page the request asks for; links reuse the request's own URL. */
export function paginate<T>(items: T[], requestUrl: URL): Page<T> {
  const perPage = Math.min(100, Math.max(1, Number(requestUrl.searchParams.get('per_page') ?? 30) || 30))
  const page = Math.max(1, Number(requestUrl.searchParams.get('page') ?? 1) || 1)
  const lastPage = Math.max(1, Math.ceil(items.length / perPage))
  const linkTo = (n: number): string => {
    const url = new URL(requestUrl)
    url.searchParams.set('per_page', String(perPage))
    url.searchParams.set('page', String(n))
    return url.toString()
  }
  const links: string[] = []
  if (page > 1) links.push(`<${linkTo(Math.min(page - 1, lastPage))}>; rel="prev"`)
  if (page < lastPage) links.push(`<${linkTo(page + 1)}>; rel="next"`, `<${linkTo(lastPage)}>; rel="last"`)
  if (page > 1) links.push(`<${linkTo(1)}>; rel="first"`)
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    link: links.length > 0 ? links.join(', ') : undefined,
  }
}

/** A list route's answer: the page the request asks for, each item shaped, and the `Link` header. */
export function pagedList<T>(
  items: T[],
  requestUrl: URL,
  shape: (item: T) => unknown,
): { status: 200; body: unknown[]; headers: Record<string, string> } {
  const page = paginate(items, requestUrl)
  return { status: 200, body: page.items.map(shape), headers: page.link ? { link: page.link } : {} }
}
