// An independent check of Baken's Open Referral HSDS 3.0 output: ajv (JSON
// Schema 2020-12, with ajv-formats asserting uuid, uri, email and date-time)
// against the official schemas vendored in crates/hsds/hsds-3.0/schema, not
// Baken's own validator. The schema files are read unchanged; each gets an $id
// in memory so their relative $refs ("attribute.json") resolve to each other.
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = dirname(fileURLToPath(import.meta.url));
export const SCHEMA_DIR = join(here, '..', '..', 'crates', 'hsds', 'hsds-3.0', 'schema');
const BASE = 'https://openreferral.org/hsds/3.0/schema/';

/** The keywords the HSDS files use besides JSON Schema's: annotations only. */
const HSDS_ANNOTATIONS = ['name', 'path', 'datapackage_metadata', 'constraints', 'core', 'example',
  'tabular_required', 'order', 'datapackage_type'];

/** An ajv instance with every vendored schema, strict about everything else. */
export function hsdsValidator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: true, strictRequired: true });
  addFormats(ajv);
  ajv.addVocabulary(HSDS_ANNOTATIONS);
  for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json'))) {
    const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8'));
    ajv.addSchema({ ...schema, $id: BASE + file });
  }
  return ajv;
}

/** The lists of an export and the schema of their elements. */
export const LISTS = {
  organizations: 'organization.json',
  services: 'service.json',
  locations: 'location.json',
  service_at_locations: 'service_at_location.json',
  taxonomies: 'taxonomy.json',
  taxonomy_terms: 'taxonomy_term.json',
};

/** Every problem of one object against one schema, each with its JSON path. */
export function problemsOf(ajv, schemaFile, value, path) {
  const validate = ajv.getSchema(BASE + schemaFile);
  if (!validate) return [`${path}: no schema ${schemaFile}`];
  if (validate(value)) return [];
  return validate.errors.map((e) => `${path}${e.instancePath.replaceAll('/', '.')}: ${e.message} (${e.schemaPath})`);
}

/** Every problem of a whole export document. */
export function problemsOfDocument(ajv, doc) {
  const problems = [];
  for (const key of Object.keys(doc)) {
    if (!(key in LISTS)) problems.push(`$.${key}: not an HSDS list Baken writes`);
  }
  for (const [key, schema] of Object.entries(LISTS)) {
    (doc[key] ?? []).forEach((item, i) => problems.push(...problemsOf(ajv, schema, item, `$.${key}[${i}]`)));
  }
  return problems;
}
