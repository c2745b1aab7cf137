// Compiles a snippet against the package's sources with the repository's tsconfig and returns its
// diagnostics as text: for tests that check what a user reads, not only that an error exists.
import { join } from 'node:path'
import ts from 'typescript'

const root = new URL('../../', import.meta.url).pathname
const config = ts.getParsedCommandLineOfConfigFile(
  join(root, 'tsconfig.json'),
  {},
  { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
)
if (config === undefined) throw new Error('cannot read tsconfig.json')

let previous: ts.Program | undefined

/** The messages (each with its line and the text it points at) of a snippet placed in test/types/. */
export function diagnosticsOf(source: string): string[] {
  const file = join(root, 'test/types/snippet.ts')
  const host = ts.createCompilerHost(config!.options)
  const { getSourceFile, fileExists, readFile } = host
  host.fileExists = (f) => f === file || fileExists(f)
  host.readFile = (f) => (f === file ? source : readFile(f))
  host.getSourceFile = (f, language, ...rest) =>
    f === file ? ts.createSourceFile(f, source, language) : getSourceFile(f, language, ...rest)
  // The previous program lends its unchanged files (the sources, zod, node), which halves the time.
  const program = ts.createProgram([file], config!.options, host, previous)
  previous = program
  const snippet = program.getSourceFile(file)!
  return ts.getPreEmitDiagnostics(program, snippet).map((d) => {
    const { line } = snippet.getLineAndCharacterOfPosition(d.start ?? 0)
    const at = source.slice(d.start ?? 0, (d.start ?? 0) + (d.length ?? 0))
    return `${line + 1} [${at}] ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
  })
}
