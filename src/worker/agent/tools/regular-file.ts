/**
 * Opening files for the file tools so that nothing but a regular file is ever read or written. The
 * agent's commands can leave a FIFO (`mkfifo`), a socket or a device node in the workspace: opening a
 * FIFO blocks until a writer comes, for ever, and holds one of libuv's few threads meanwhile. So every
 * open is non-blocking and does not follow a symlink swapped in after the jail checked the path, and
 * the handle is `fstat`ed before any byte moves: a FIFO is refused, not waited on.
 */
import { constants } from 'node:fs'
import type { Stats } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { JailError } from '../jail.js'

/** What a handle turned out to be, for the refusal. */
function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO (named pipe)'
  if (stats.isSocket()) return 'a socket'
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device'
  if (stats.isDirectory()) return 'a directory'
  return 'not a regular file'
}

async function openChecked(absolute: string, relative: string, flags: number): Promise<FileHandle> {
  let handle: FileHandle
  try {
    handle = await open(absolute, flags | constants.O_NONBLOCK | constants.O_NOFOLLOW, 0o644)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    // A FIFO opened for writing with no reader, non-blocking: ENXIO. A symlink swapped in: ELOOP.
    if (code === 'ENXIO' || code === 'ELOOP') {
      throw new JailError(
        `refused: ${relative} is not a regular file; the file tools read and write regular files only`,
      )
    }
    throw error
  }
  const stats = await handle.stat()
  if (!stats.isFile()) {
    await handle.close()
    throw new JailError(
      `refused: ${relative} is ${kindOf(stats)}; the file tools read and write regular files only`,
    )
  }
  return handle
}

/**
 * Reads a regular file, or answers undefined when it does not exist; throws a JailError for anything
 * else (FIFO, socket, device), and an error naming the size when it is larger than `maxBytes`.
 */
export async function readRegularFile(
  absolute: string,
  relative: string,
  maxBytes: number,
): Promise<Buffer | undefined> {
  let handle: FileHandle
  try {
    handle = await openChecked(absolute, relative, constants.O_RDONLY)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  try {
    const { size } = await handle.stat()
    if (size > maxBytes) {
      throw new JailError(`${relative} has ${size} bytes, more than the file tools take (${maxBytes})`)
    }
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

/** Writes `content` to a regular file, creating it; throws a JailError when the path is anything else. */
export async function writeRegularFile(absolute: string, relative: string, content: string): Promise<void> {
  // No O_TRUNC at open: nothing is changed before fstat has shown a regular file.
  const handle = await openChecked(absolute, relative, constants.O_WRONLY | constants.O_CREAT)
  try {
    await handle.truncate(0)
    await handle.writeFile(content, 'utf8')
  } finally {
    await handle.close()
  }
}
