/**
 * The policy check: before anything of a submission runs, its owned files are parsed with TypeScript's
 * own parser and binder (a program with no lib and no module resolution, so every name the file does not
 * declare itself stays unresolved: that is how a global is told from a local of the same name, even one
 * declared in an inner scope). Each rule of policy-rules.ts is checked where it applies; a violation
 * names the file, line, column and rule, and zeroes the parts that depend on the file's folder.
 *
 * What the check is: a precise lint for the ways a submission could reach the tester (imports, globals,
 * writes to shared objects, load-time captures of the clock). What it is not: a proof. Values computed at
 * run time (`obj[name] = …` through a reassigned variable) can slip past it; the run-time layer (a fresh
 * worker per run, a verdict the parent decides, frozen tester objects) is what holds then.
 */
import path from 'node:path';
import ts from 'typescript';
import { IMPORTS_OF_FOLDER, PARTS_OF_FOLDER, ownerOf, type LabPart, type OwnedFolder } from './owned';
import {
  BUILTIN_MUTATORS,
  CLOCK_GLOBALS,
  DEFINERS,
  FORBIDDEN_GLOBALS,
  LABRPC_HOOKS,
  LODASH_MUTATORS,
  PROTOTYPE_KEYS,
  RULES,
  SAFE_BUILTINS,
  SAFE_PACKAGES,
  type RuleId,
} from './policy-rules';

export interface Violation {
  /** Path relative to the project root, e.g. `raft/raft.ts`. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly rule: RuleId;
  /** What was found, e.g. "assigns to Math.random". */
  readonly message: string;
  /** Set when `--allow` lets the rule pass: reported, not enforced. */
  readonly allowed: boolean;
  readonly parts: readonly LabPart[];
}

export interface PolicyReport {
  readonly violations: readonly Violation[];
  /** Parts zeroed by enforced violations. */
  readonly blockedParts: ReadonlySet<LabPart>;
}

const VIRTUAL_ROOT = '/submission/';

/** Where a value comes from, as far as the file itself says. */
type Origin = 'own' | 'this' | 'param' | 'import' | 'global' | 'unknown';

function makeProgram(files: ReadonlyMap<string, Buffer>): ts.Program {
  const options: ts.CompilerOptions = {
    noLib: true,
    noResolve: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    noEmit: true,
  };
  const texts = new Map([...files].map(([rel, data]) => [VIRTUAL_ROOT + rel, data.toString('utf8')]));
  const host = ts.createCompilerHost(options, true);
  host.getSourceFile = (name, target) => {
    const text = texts.get(name);
    return text === undefined ? undefined : ts.createSourceFile(name, text, target, true);
  };
  host.fileExists = (name) => texts.has(name);
  host.readFile = (name) => texts.get(name);
  host.getCurrentDirectory = () => VIRTUAL_ROOT;
  host.writeFile = () => {};
  return ts.createProgram({ rootNames: [...texts.keys()], options, host });
}

function isAssignmentOperator(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

function unwrap(expr: ts.Expression): ts.Expression {
  let e = expr;
  while (
    ts.isParenthesizedExpression(e) ||
    ts.isAsExpression(e) ||
    ts.isNonNullExpression(e) ||
    ts.isTypeAssertionExpression(e) ||
    ts.isSatisfiesExpression(e)
  ) {
    e = e.expression;
  }
  return e;
}

/** The static name of a property access (`a.b`, `a['b']`), if it has one. */
function memberName(expr: ts.Expression): string | undefined {
  if (ts.isPropertyAccessExpression(expr)) return expr.name.text;
  if (ts.isElementAccessExpression(expr) && ts.isStringLiteralLike(expr.argumentExpression)) {
    return expr.argumentExpression.text;
  }
  return undefined;
}

/** Whether a node sits in an ambient context (`declare …`, `declare global { … }`): types only, never run. */
function isAmbient(node: ts.Node): boolean {
  if (node.getSourceFile().isDeclarationFile) return true;
  for (let n: ts.Node | undefined = node; n !== undefined; n = n.parent) {
    const modifiers = ts.canHaveModifiers(n) ? ts.getModifiers(n) : undefined;
    if (modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) return true;
  }
  return false;
}

function isFunctionLike(node: ts.Node): boolean {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** Whether an identifier is a name being read or called (not a declaration, member name or label). */
function isValueReference(id: ts.Identifier): boolean {
  const p = id.parent as ts.Node & { name?: ts.Node; propertyName?: ts.Node; right?: ts.Node };
  if (ts.isShorthandPropertyAssignment(p)) return true;
  if (p.name === id || p.propertyName === id || (ts.isQualifiedName(p) && p.right === id)) return false;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p) || ts.isNamespaceImport(p)) {
    return false;
  }
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  return true;
}

class FileChecker {
  readonly found: Array<Omit<Violation, 'allowed' | 'parts'>> = [];
  private readonly folder: string;

  constructor(
    private readonly rel: string,
    private readonly sf: ts.SourceFile,
    private readonly checker: ts.TypeChecker,
  ) {
    this.folder = rel.split('/')[0];
  }

  run(): void {
    this.visit(this.sf, true);
  }

  private report(node: ts.Node, rule: RuleId, message: string): void {
    const { line, character } = this.sf.getLineAndCharacterOfPosition(node.getStart(this.sf));
    this.found.push({ file: this.rel, line: line + 1, column: character + 1, rule, message });
  }

  // ---- names: local, imported or global ----

  private symbolOf(id: ts.Identifier): ts.Symbol | undefined {
    if (ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id) {
      return this.checker.getShorthandAssignmentValueSymbol(id.parent);
    }
    return this.checker.getSymbolAtLocation(id);
  }

  /** Declarations of this symbol that the submission itself makes (not `declare`d, not .d.ts). */
  private ownDeclarations(symbol: ts.Symbol | undefined): ts.Declaration[] {
    return (symbol?.declarations ?? []).filter((d) => !isAmbient(d));
  }

  private isGlobal(id: ts.Identifier): boolean {
    return this.ownDeclarations(this.symbolOf(id)).length === 0;
  }

  /** The module an identifier was imported from, and the name it had there ('default', '*' or a name). */
  private importOf(id: ts.Identifier): { module: string; imported: string } | undefined {
    const decl = this.ownDeclarations(this.symbolOf(id))[0];
    if (decl === undefined) return undefined;
    const fromDecl = (
      d: ts.ImportDeclaration | ts.JSDocImportTag,
      imported: string,
    ): { module: string; imported: string } => ({
      module: (d.moduleSpecifier as ts.StringLiteral).text,
      imported,
    });
    if (ts.isImportSpecifier(decl)) {
      return fromDecl(decl.parent.parent.parent, (decl.propertyName ?? decl.name).text);
    }
    if (ts.isImportClause(decl)) return fromDecl(decl.parent, 'default');
    if (ts.isNamespaceImport(decl)) return fromDecl(decl.parent.parent, '*');
    if (ts.isImportEqualsDeclaration(decl) && ts.isExternalModuleReference(decl.moduleReference)) {
      const spec = decl.moduleReference.expression;
      return { module: ts.isStringLiteral(spec) ? spec.text : '?', imported: '*' };
    }
    return undefined;
  }

  private origin(expr: ts.Expression, depth = 0): Origin {
    const e = unwrap(expr);
    if (depth > 8) return 'unknown';
    if (e.kind === ts.SyntaxKind.ThisKeyword) return 'this';
    if (
      ts.isObjectLiteralExpression(e) ||
      ts.isArrayLiteralExpression(e) ||
      ts.isNewExpression(e) ||
      ts.isClassExpression(e) ||
      ts.isFunctionExpression(e) ||
      ts.isArrowFunction(e)
    ) {
      return 'own';
    }
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
      return this.origin(e.expression, depth + 1);
    }
    if (!ts.isIdentifier(e)) return 'unknown';
    if (this.isGlobal(e)) return 'global';
    if (this.importOf(e) !== undefined) return 'import';
    const decl = this.ownDeclarations(this.symbolOf(e))[0];
    if (ts.isParameter(decl)) return 'param';
    if (ts.isFunctionDeclaration(decl) || ts.isClassDeclaration(decl)) return 'own';
    if (ts.isVariableDeclaration(decl)) {
      return decl.initializer === undefined ? 'own' : this.origin(decl.initializer, depth + 1);
    }
    return 'unknown';
  }

  /** Whether a call may define properties on this value: `this`, a fresh object, or a local made from one. */
  private owned(expr: ts.Expression | undefined): boolean {
    if (expr === undefined) return false;
    const e = unwrap(expr);
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) return false;
    const o = this.origin(e);
    return o === 'own' || o === 'this';
  }

  /** Whether a member chain passes through a prototype (`.prototype`, `__proto__`, getPrototypeOf()). */
  private touchesPrototype(expr: ts.Expression): boolean {
    let e = unwrap(expr);
    for (;;) {
      const name = memberName(e);
      if (name !== undefined && PROTOTYPE_KEYS.has(name)) return true;
      if (ts.isCallExpression(e) && memberName(unwrap(e.expression)) === 'getPrototypeOf') return true;
      if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isCallExpression(e)) {
        e = unwrap(e.expression);
      } else {
        return false;
      }
    }
  }

  // ---- the walk ----

  private visit(node: ts.Node, loadTime: boolean): void {
    if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
    if (ts.isTypeNode(node) && !this.isClassExtends(node)) return;
    if (
      ts.canHaveModifiers(node) &&
      ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)
    ) {
      return;
    }
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node) || ts.isImportEqualsDeclaration(node)) {
      this.checkImport(node);
      if (!ts.isExportDeclaration(node)) return;
    }
    if (ts.isIdentifier(node)) this.checkIdentifier(node, loadTime);
    else if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node))
      this.checkMember(node, loadTime);
    else if (ts.isBinaryExpression(node) && isAssignmentOperator(node.operatorToken.kind))
      this.checkWrite(node.left);
    else if (
      (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
      (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)
    ) {
      this.checkWrite(node.operand);
    } else if (ts.isDeleteExpression(node)) this.checkWrite(node.expression);
    else if (ts.isCallExpression(node)) this.checkCall(node);

    const inner = isFunctionLike(node) || (ts.isPropertyDeclaration(node) && !this.isStatic(node));
    ts.forEachChild(node, (child) => this.visit(child, loadTime && !inner));
  }

  private isStatic(node: ts.PropertyDeclaration): boolean {
    return (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Static) !== 0;
  }

  private isClassExtends(node: ts.Node): boolean {
    return (
      ts.isExpressionWithTypeArguments(node) &&
      ts.isHeritageClause(node.parent) &&
      node.parent.token === ts.SyntaxKind.ExtendsKeyword &&
      ts.isClassLike(node.parent.parent)
    );
  }

  private checkImport(node: ts.ImportDeclaration | ts.ExportDeclaration | ts.ImportEqualsDeclaration): void {
    let spec: ts.Expression | undefined;
    if (ts.isImportEqualsDeclaration(node)) {
      if (!ts.isExternalModuleReference(node.moduleReference) || node.isTypeOnly) return;
      spec = node.moduleReference.expression;
    } else {
      if (ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly : node.isTypeOnly) return;
      spec = node.moduleSpecifier;
    }
    if (spec === undefined || !ts.isStringLiteral(spec)) return;
    this.checkSpecifier(spec);
    if (ts.isImportDeclaration(node) && this.isLabrpc(spec.text)) {
      const bindings = node.importClause?.namedBindings;
      if (bindings !== undefined && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) {
          const name = (el.propertyName ?? el.name).text;
          if (!el.isTypeOnly && LABRPC_HOOKS.has(name))
            this.report(el, 'labrpc-hooks', `imports ${name} from labrpc`);
        }
      }
    }
  }

  /** Where a relative specifier lands, relative to the project root ('../x' when outside it). */
  private target(spec: string): string {
    return path.posix.normalize(path.posix.join(path.posix.dirname(this.rel), spec));
  }

  private isLabrpc(spec: string): boolean {
    return spec.startsWith('.') && this.target(spec).split('/')[0] === 'labrpc';
  }

  private checkSpecifier(spec: ts.StringLiteral): void {
    const text = spec.text;
    if (text.startsWith('.')) {
      const top = this.target(text).split('/')[0];
      const below: readonly string[] = IMPORTS_OF_FOLDER[this.folder as OwnedFolder] ?? [];
      if (top === this.folder || top === 'labrpc' || below.includes(top)) return;
      if (top === 'tests' || top === 'scripts') {
        this.report(spec, 'import-tests', `imports ${text} (in ${top}/)`);
      } else {
        this.report(spec, 'import-path', `imports ${text}, outside ${this.folder}/ and labrpc/`);
      }
      return;
    }
    const bare = text.replace(/^node:/, '');
    const pkg = bare.startsWith('@') ? bare.split('/').slice(0, 2).join('/') : bare.split('/')[0];
    if (SAFE_BUILTINS.has(bare) || SAFE_PACKAGES.has(pkg)) return;
    this.report(spec, 'import-module', `imports ${text}`);
  }

  private checkIdentifier(id: ts.Identifier, loadTime: boolean): void {
    if (!isValueReference(id)) return;
    const name = id.text;
    const rule = FORBIDDEN_GLOBALS.get(name);
    const clock = loadTime && CLOCK_GLOBALS.has(name);
    if ((rule === undefined && !clock) || !this.isGlobal(id)) return;
    if (rule !== undefined) this.report(id, rule, `uses ${name}`);
    else this.report(id, 'load-time-clock', `uses ${name} while the module loads (outside any function)`);
  }

  private checkMember(
    node: ts.PropertyAccessExpression | ts.ElementAccessExpression,
    loadTime: boolean,
  ): void {
    const name = memberName(node);
    if (name === 'constructor') {
      this.report(node, 'dynamic-code', 'reads .constructor (a way to reach Function)');
    } else if (
      name === 'random' &&
      loadTime &&
      !this.isWriteTarget(node) &&
      this.origin(node.expression) === 'global'
    ) {
      const base = unwrap(node.expression);
      if (ts.isIdentifier(base) && base.text === 'Math') {
        this.report(
          node,
          'load-time-clock',
          'uses Math.random while the module loads (outside any function)',
        );
      }
    } else if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const imp = this.importOf(node.expression);
      if (
        imp !== undefined &&
        imp.imported === '*' &&
        this.isLabrpc(imp.module) &&
        LABRPC_HOOKS.has(name ?? '')
      ) {
        this.report(node, 'labrpc-hooks', `uses labrpc's ${name}`);
      }
    }
  }

  private isWriteTarget(node: ts.Node): boolean {
    const p = node.parent;
    return ts.isBinaryExpression(p) && p.left === node && isAssignmentOperator(p.operatorToken.kind);
  }

  private describe(expr: ts.Expression): string {
    const text = expr.getText(this.sf).replace(/\s+/g, ' ');
    return text.length > 60 ? `${text.slice(0, 57)}…` : text;
  }

  private checkWrite(target: ts.Expression): void {
    const t = unwrap(target);
    if (ts.isObjectLiteralExpression(t) || ts.isArrayLiteralExpression(t)) {
      for (const el of ts.isArrayLiteralExpression(t) ? t.elements : t.properties) {
        if (ts.isPropertyAssignment(el)) this.checkWrite(el.initializer);
        else if (ts.isSpreadElement(el) || ts.isSpreadAssignment(el)) this.checkWrite(el.expression);
        else if (ts.isShorthandPropertyAssignment(el)) this.checkWrite(el.name);
        else if (!ts.isOmittedExpression(el) && ts.isExpression(el)) this.checkWrite(el);
      }
      return;
    }
    if (ts.isBinaryExpression(t) && t.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      this.checkWrite(t.left); // a default in a destructuring pattern
      return;
    }
    if (this.touchesPrototype(t)) {
      this.report(t, 'prototype-write', `writes to ${this.describe(t)}`);
      return;
    }
    const origin = this.origin(t);
    if (origin === 'global') this.report(t, 'global-write', `writes to ${this.describe(t)}`);
    else if (origin === 'import') this.report(t, 'import-write', `writes to ${this.describe(t)}`);
  }

  private checkCall(call: ts.CallExpression): void {
    if (call.expression.kind === ts.SyntaxKind.ImportKeyword) {
      this.report(call, 'dynamic-code', 'uses import()');
      return;
    }
    const callee = unwrap(call.expression);
    const name = memberName(callee) ?? (ts.isIdentifier(callee) ? callee.text : undefined);
    if (name === undefined) return;
    const targetArg = call.arguments[0];
    const receiver =
      ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)
        ? unwrap(callee.expression)
        : undefined;
    if (name === 'setPrototypeOf') {
      if (!this.owned(targetArg))
        this.report(call, 'prototype-write', `calls ${this.describe(callee)} on an object it does not own`);
      return;
    }
    const mutates =
      DEFINERS.has(name) ||
      (receiver !== undefined &&
        ts.isIdentifier(receiver) &&
        (receiver.text === 'Object' || receiver.text === 'Reflect') &&
        this.isGlobal(receiver) &&
        BUILTIN_MUTATORS.has(name)) ||
      (LODASH_MUTATORS.has(name) && this.isLodash(receiver ?? callee, receiver === undefined));
    if (!mutates) return;
    if (targetArg !== undefined && this.touchesPrototype(targetArg)) {
      this.report(call, 'prototype-write', `calls ${this.describe(callee)} on ${this.describe(targetArg)}`);
    } else if (!this.owned(targetArg)) {
      const what = targetArg === undefined ? 'nothing' : this.describe(targetArg);
      this.report(
        call,
        'define-property',
        `calls ${this.describe(callee)} on ${what}, which this file does not own`,
      );
    }
  }

  /** Whether `expr` is lodash (`_` imported from lodash) or, called directly, a mutator imported from it. */
  private isLodash(expr: ts.Expression, direct: boolean): boolean {
    if (!ts.isIdentifier(expr)) return false;
    const imp = this.importOf(expr);
    if (imp === undefined || !imp.module.startsWith('lodash')) return false;
    if (!direct) return imp.imported === '*' || imp.imported === 'default';
    return LODASH_MUTATORS.has(imp.imported) || (imp.imported === 'default' && imp.module !== 'lodash');
  }
}

/** Check every owned file; rules in `allow` are reported but not enforced. */
export function checkPolicy(files: ReadonlyMap<string, Buffer>, allow: ReadonlySet<RuleId>): PolicyReport {
  const program = makeProgram(files);
  const checker = program.getTypeChecker();
  const violations: Violation[] = [];
  const blockedParts = new Set<LabPart>();
  for (const rel of [...files.keys()].sort()) {
    const sf = program.getSourceFile(VIRTUAL_ROOT + rel);
    const folder = ownerOf(rel);
    if (sf === undefined || folder === undefined || sf.isDeclarationFile) continue;
    const fileChecker = new FileChecker(rel, sf, checker);
    fileChecker.run();
    for (const v of fileChecker.found) {
      const allowed = allow.has(v.rule);
      const parts = PARTS_OF_FOLDER[folder];
      violations.push({ ...v, allowed, parts });
      if (!allowed) for (const part of parts) blockedParts.add(part);
    }
  }
  return { violations, blockedParts };
}

/** One line per violation: `raft/raft.ts:12:5 [global-write] writes to Math.random — why…`. */
export function formatViolation(v: Violation): string {
  const tail = v.allowed ? ' (allowed by --allow)' : '';
  return `${v.file}:${v.line}:${v.column} [${v.rule}] ${v.message}${tail} — ${RULES[v.rule]}`;
}
