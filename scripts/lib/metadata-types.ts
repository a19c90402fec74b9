// Checks Metadata API XML against the Metadata API's own type definitions, as @salesforce/types
// publishes them (lib/metadata.d.ts, generated from the Metadata WSDL). A misspelled element, a
// value outside an enumeration or a non-boolean where a boolean belongs fails here, offline,
// instead of in a customer's deploy.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import ts from 'typescript';

export type MetadataProblem = { path: string; message: string };

type XmlNode = { name: string; children: XmlNode[]; text: string; attributes: Record<string, string> };

// Elements whose Metadata API type is xsd:string but whose content is markup of its own
// (LightningComponentBundle.targetConfigs is declared as a string in the WSDL).
const OPAQUE_ELEMENTS = new Set(['LightningComponentBundle.targetConfigs']);

let checker: ts.TypeChecker | undefined;
let declarations: Map<string, ts.TypeAliasDeclaration> | undefined;

function load(): { checker: ts.TypeChecker; declarations: Map<string, ts.TypeAliasDeclaration> } {
  if (checker && declarations) return { checker, declarations };
  const require = createRequire(path.join(process.cwd(), 'package.json'));
  const file = path.join(path.dirname(require.resolve('@salesforce/types/metadata')), 'metadata.d.ts');
  const program = ts.createProgram([file], { noEmit: true, skipLibCheck: true, types: [] });
  checker = program.getTypeChecker();
  declarations = new Map();
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`Cannot read ${file}`);
  for (const statement of source.statements) {
    if (ts.isTypeAliasDeclaration(statement)) declarations.set(statement.name.text, statement);
  }
  return { checker, declarations };
}

/** Whether @salesforce/types defines a Metadata API type of this name. */
export function isMetadataType(name: string): boolean {
  return load().declarations.has(name);
}

function typeNamed(name: string): ts.Type {
  const { checker, declarations } = load();
  const declaration = declarations.get(name);
  if (!declaration) throw new Error(`@salesforce/types has no Metadata API type ${name}`);
  return checker.getTypeAtLocation(declaration);
}

function parseXml(xml: string): XmlNode {
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    trimValues: true,
  });
  type Raw = Record<string, unknown> & { ':@'?: Record<string, string> };
  const convert = (raw: Raw): XmlNode | undefined => {
    const name = Object.keys(raw).find((key) => key !== ':@');
    if (!name || name === '?xml' || name === '#text') return undefined;
    const content = (raw[name] as Raw[]) ?? [];
    const text = content
      .filter((item) => '#text' in item)
      .map((item) => String(item['#text']))
      .join('');
    const children = content.map(convert).filter((node): node is XmlNode => node !== undefined);
    return { name, children, text, attributes: raw[':@'] ?? {} };
  };
  const roots = (parser.parse(xml) as Raw[])
    .map(convert)
    .filter((node): node is XmlNode => node !== undefined);
  if (roots.length !== 1 || !roots[0]) throw new Error('expected exactly one root element');
  return roots[0];
}

function withoutNullish(type: ts.Type): ts.Type[] {
  if (!type.isUnion()) return [type];
  return type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
}

function checkNode(node: XmlNode, type: ts.Type, where: string, problems: MetadataProblem[]): void {
  const { checker } = load();
  const parts = withoutNullish(type);
  const elementType = checker.isArrayType(type)
    ? checker.getTypeArguments(type as ts.TypeReference)[0]
    : undefined;
  if (elementType) return checkNode(node, elementType, where, problems);

  const literals = parts.filter((t) => t.isStringLiteral()) as ts.StringLiteralType[];
  if (literals.length > 0 && literals.length === parts.length) {
    const allowed = literals.map((t) => t.value);
    if (!allowed.includes(node.text)) {
      problems.push({ path: where, message: `"${node.text}" is not one of ${allowed.join(', ')}` });
    }
    return;
  }
  if (parts.every((t) => t.flags & ts.TypeFlags.BooleanLike)) {
    if (node.text !== 'true' && node.text !== 'false') {
      problems.push({ path: where, message: `"${node.text}" is not a boolean` });
    }
    return;
  }
  if (parts.every((t) => t.flags & ts.TypeFlags.NumberLike)) {
    if (node.text === '' || !Number.isFinite(Number(node.text))) {
      problems.push({ path: where, message: `"${node.text}" is not a number` });
    }
    return;
  }
  if (parts.every((t) => t.flags & ts.TypeFlags.StringLike)) {
    if (node.children.length > 0)
      problems.push({ path: where, message: 'holds elements where text belongs' });
    return;
  }
  // An object type: every child element must be one of its properties.
  for (const child of node.children) {
    const property = checker.getPropertyOfType(type, child.name);
    const childWhere = `${where}.${child.name}`;
    if (!property) {
      problems.push({ path: childWhere, message: `unknown element <${child.name}>` });
      continue;
    }
    const propertyType = checker.getTypeOfSymbol(property);
    if (OPAQUE_ELEMENTS.has(`${where.split('.')[0]}.${child.name}`)) continue;
    checkNode(child, propertyType, childWhere, problems);
  }
}

/** Problems in one Metadata API XML document; the root element names its type. */
export function checkMetadataXml(xml: string, typeName?: string): MetadataProblem[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    return [{ path: '(document)', message: `not well-formed: ${valid.err.msg} (line ${valid.err.line})` }];
  const root = parseXml(xml);
  const name = typeName ?? root.name;
  if (!isMetadataType(name)) return [{ path: root.name, message: `no Metadata API type ${name}` }];
  const problems: MetadataProblem[] = [];
  checkNode(root, typeNamed(name), root.name, problems);
  return problems;
}

/** Problems in a file: see checkMetadataXml. */
export function checkMetadataFile(file: string, typeName?: string): MetadataProblem[] {
  return checkMetadataXml(readFileSync(file, 'utf8'), typeName);
}

/**
 * Problems in a scratch-org definition's `settings`: each key names a Settings type
 * (activitiesSettings → ActivitiesSettings) and each value its fields.
 * https://developer.salesforce.com/docs/atlas.en-us.sfdx_dev.meta/sfdx_dev/sfdx_dev_scratch_orgs_def_file_config_values.htm
 */
export function checkScratchSettings(settings: Record<string, Record<string, unknown>>): MetadataProblem[] {
  const { checker } = load();
  const problems: MetadataProblem[] = [];
  for (const [key, values] of Object.entries(settings)) {
    const typeName = key.charAt(0).toUpperCase() + key.slice(1);
    if (!typeName.endsWith('Settings') || !isMetadataType(typeName)) {
      problems.push({ path: key, message: `no Metadata API settings type ${typeName}` });
      continue;
    }
    const type = typeNamed(typeName);
    for (const [field, value] of Object.entries(values)) {
      const property = checker.getPropertyOfType(type, field);
      if (!property) {
        problems.push({ path: `${key}.${field}`, message: `${typeName} has no field ${field}` });
        continue;
      }
      const node: XmlNode = { name: field, children: [], text: String(value), attributes: {} };
      checkNode(node, checker.getTypeOfSymbol(property), `${key}.${field}`, problems);
    }
  }
  return problems;
}
