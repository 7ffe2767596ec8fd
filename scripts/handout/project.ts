/**
 * The handout's TypeScript, seen through the compiler's own API: the source project with the stripped
 * raft/ and kvraft/ files laid over it (nothing written to disk), so that imports left unused by the
 * stripping are removed by TypeScript's "organize imports" (remove-unused mode: nothing re-sorted), and
 * the result is type-checked before a handout is written.
 */
import path from 'node:path';
import ts from 'typescript';
import { HandoutError } from './parts';

/** What `noUnusedLocals` reports: a declaration that nothing reads any more. */
const UNUSED_CODES = new Set([6133, 6192, 6196, 6198, 6199, 6205]);

export class OverlayProject {
  readonly #root: string;
  readonly #overlay: Map<string, string>;
  readonly #versions = new Map<string, number>();
  readonly #hidden: (file: string) => boolean;
  readonly #options: ts.CompilerOptions;
  readonly #fileNames: string[];
  readonly #service: ts.LanguageService;

  /**
   * `overlay`: project-relative path → text replacing that file; `hidden(relative)`: files the handout
   * leaves out, which must not exist for the handout's code.
   */
  constructor(root: string, overlay: ReadonlyMap<string, string>, hidden: (file: string) => boolean) {
    this.#root = root;
    this.#overlay = new Map([...overlay].map(([file, text]) => [path.join(root, file), text]));
    this.#hidden = (abs) => {
      const rel = path.relative(root, abs).split(path.sep).join('/');
      return !rel.startsWith('..') && !rel.startsWith('node_modules/') && hidden(rel);
    };
    const configPath = path.join(root, 'tsconfig.json');
    const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
    if (read.error !== undefined) throw new HandoutError(`tsconfig.json: ${flatten(read.error.messageText)}`);
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root);
    this.#options = { ...parsed.options, noUnusedLocals: true, noEmit: true };
    this.#fileNames = parsed.fileNames.filter((f) => !this.#hidden(f));
    this.#service = ts.createLanguageService(this.#host(), ts.createDocumentRegistry());
  }

  /** The current text of a project-relative file of the overlay. */
  text(file: string): string {
    const text = this.#overlay.get(path.join(this.#root, file));
    if (text === undefined) throw new Error(`not in the overlay: ${file}`);
    return text;
  }

  update(file: string, text: string): void {
    const abs = path.join(this.#root, file);
    this.#overlay.set(abs, text);
    this.#versions.set(abs, (this.#versions.get(abs) ?? 0) + 1);
  }

  /** Remove the imports that nothing in `file` uses any more (TypeScript's organize imports, remove-unused mode). */
  removeUnusedImports(file: string): void {
    const fileName = path.join(this.#root, file);
    const changes = this.#service.organizeImports(
      { type: 'file', fileName, mode: ts.OrganizeImportsMode.RemoveUnused },
      {},
      undefined,
    );
    let text = this.text(file);
    for (const change of changes) {
      if (change.fileName !== fileName) continue;
      const edits = [...change.textChanges].sort((a, b) => b.span.start - a.span.start);
      for (const edit of edits) {
        text = text.slice(0, edit.span.start) + edit.newText + text.slice(edit.span.start + edit.span.length);
      }
    }
    this.update(file, text);
  }

  /**
   * Every type error of the handout's project, and every declaration left unused in `strictFiles`
   * (relative paths), as "file:line:col message" lines.
   */
  problems(strictFiles: ReadonlySet<string>): string[] {
    const program = this.#service.getProgram();
    if (program === undefined) throw new Error('no program');
    const problems: string[] = [];
    for (const source of program.getSourceFiles()) {
      const rel = path.relative(this.#root, source.fileName).split(path.sep).join('/');
      if (rel.startsWith('..') || rel.startsWith('node_modules/')) continue;
      const diagnostics = [
        ...program.getSyntacticDiagnostics(source),
        ...program.getSemanticDiagnostics(source),
      ];
      for (const d of diagnostics) {
        if (UNUSED_CODES.has(d.code) && !strictFiles.has(rel)) continue; // the source's own lint decides those
        const { line, character } = source.getLineAndCharacterOfPosition(d.start ?? 0);
        problems.push(`${rel}:${line + 1}:${character + 1} ${flatten(d.messageText)}`);
      }
    }
    for (const d of program.getGlobalDiagnostics()) problems.push(flatten(d.messageText));
    return problems;
  }

  #host(): ts.LanguageServiceHost {
    const exists = (abs: string): boolean =>
      this.#overlay.has(abs) || (!this.#hidden(abs) && ts.sys.fileExists(abs));
    return {
      getScriptFileNames: () => this.#fileNames,
      getScriptVersion: (abs) => String(this.#versions.get(abs) ?? 0),
      getScriptSnapshot: (abs) => {
        const text = this.#overlay.get(abs) ?? (exists(abs) ? ts.sys.readFile(abs) : undefined);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => this.#root,
      getCompilationSettings: () => this.#options,
      getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
      fileExists: exists,
      readFile: (abs) => this.#overlay.get(abs) ?? (exists(abs) ? ts.sys.readFile(abs) : undefined),
      readDirectory: (...args) => ts.sys.readDirectory(...args),
      directoryExists: (dir) => ts.sys.directoryExists(dir),
      getDirectories: (dir) => ts.sys.getDirectories(dir),
    };
  }
}

function flatten(message: string | ts.DiagnosticMessageChain): string {
  return ts.flattenDiagnosticMessageText(message, ' ');
}

/**
 * `text` without repeated import declarations: two stripped regions of different parts may each bring
 * the same skeleton import (`import { todo } from './todo';`), and a handout of both parts gets it twice.
 */
export function dropDuplicateImports(file: string, text: string): string {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const seen = new Set<string>();
  const cuts: { start: number; end: number }[] = [];
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement)) continue;
    const key = statement.getText(source);
    if (seen.has(key)) cuts.push({ start: statement.getFullStart(), end: statement.getEnd() });
    seen.add(key);
  }
  let out = text;
  for (const cut of cuts.reverse()) out = out.slice(0, cut.start) + out.slice(cut.end);
  return out;
}
