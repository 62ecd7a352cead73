// Structural validation of the deployment files (run by DeployTemplatesTest; `npm ci` in this folder first):
//   node validate.mjs cfn TEMPLATE.yaml...   CloudFormation templates against the CloudFormation resource
//                                           specification (npm @aws-cdk/cfnspec): top-level sections, resource types,
//                                           property names, required properties, property value shapes (objects,
//                                           lists, maps, primitives) down every nested property type, and that every
//                                           Ref, Fn::GetAtt, Fn::Sub variable, Condition and DependsOn names
//                                           something the template declares.
//   node validate.mjs asl DEFINITION.json... Amazon States Language definitions against the ASL schema (npm
//                                           asl-validator).
//   node validate.mjs asl-template TEMPLATE.yaml SAMPLES.json OUT.json
//                                           the state machine of TEMPLATE whose DefinitionS3Location is a local file:
//                                           every ${NAME} of the definition must be a DefinitionSubstitutions key and
//                                           every key must be used; the definition with the sample values of
//                                           SAMPLES.json substituted (as CloudFormation does at deployment) is written
//                                           to OUT.json and validated as `asl`.
// Prints one line per problem ("FILE: where: what") and exits 1 when there is any; else prints "ok FILE".
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import yaml from 'js-yaml';

const require = createRequire(import.meta.url);

const SHORT_FORMS = [
  ['Ref', 'scalar'], ['Condition', 'scalar'],
  ['Sub', 'scalar'], ['Sub', 'sequence'], ['GetAtt', 'scalar'], ['GetAtt', 'sequence'], ['Join', 'sequence'],
  ['If', 'sequence'], ['Equals', 'sequence'], ['Not', 'sequence'], ['And', 'sequence'], ['Or', 'sequence'],
  ['Select', 'sequence'], ['Split', 'sequence'], ['FindInMap', 'sequence'], ['Base64', 'scalar'],
  ['Base64', 'mapping'], ['GetAZs', 'scalar'], ['ImportValue', 'scalar'], ['ImportValue', 'mapping'],
  ['Cidr', 'sequence'], ['ToJsonString', 'mapping'], ['Length', 'sequence'],
];
const CFN_SCHEMA = yaml.DEFAULT_SCHEMA.extend(SHORT_FORMS.map(([name, kind]) => new yaml.Type('!' + name, {
  kind,
  construct: (data) => {
    if (name === 'Ref') return { Ref: data };
    if (name === 'Condition') return { Condition: data };
    if (name === 'GetAtt' && kind === 'scalar') {
      const dot = data.indexOf('.');
      return { 'Fn::GetAtt': [data.slice(0, dot), data.slice(dot + 1)] };
    }
    return { ['Fn::' + name]: data };
  },
})));

const PSEUDO = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region',
  'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);
const SECTIONS = new Set(['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Mappings', 'Conditions',
  'Transform', 'Resources', 'Outputs', 'Rules']);
// Properties that `aws cloudformation package` rewrites from a local path before deployment.
const PACKAGED = new Set(['AWS::StepFunctions::StateMachine.DefinitionS3Location',
  'AWS::CloudFormation::Stack.TemplateURL', 'AWS::Serverless::StateMachine.DefinitionUri']);

function isIntrinsic(v) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition');
}

function validateTemplate(file) {
  const problems = [];
  const say = (where, what) => problems.push(`${file}: ${where}: ${what}`);
  const spec = require('@aws-cdk/cfnspec/spec/specification.json');
  let t;
  try {
    t = yaml.load(fs.readFileSync(file, 'utf8'), { schema: CFN_SCHEMA });
  } catch (e) {
    say('yaml', e.message.split('\n')[0]);
    return problems;
  }
  for (const k of Object.keys(t)) if (!SECTIONS.has(k)) say(k, 'not a template section');
  const params = t.Parameters || {};
  const resources = t.Resources || {};
  const conditions = t.Conditions || {};
  if (Object.keys(resources).length === 0) say('Resources', 'none');

  const checkValue = (where, value, prop, ownerType) => {
    if (isIntrinsic(value)) return;
    if (prop.PrimitiveType) {
      if (prop.PrimitiveType === 'Json') {
        if (typeof value !== 'object' && typeof value !== 'string') say(where, 'expected JSON (object or string)');
      } else if (value === null || typeof value === 'object') {
        say(where, `expected ${prop.PrimitiveType}, got ${Array.isArray(value) ? 'a list' : 'an object'}`);
      }
      return;
    }
    const typeName = prop.Type;
    if (typeName === 'List') {
      if (!Array.isArray(value)) { say(where, 'expected a list'); return; }
      value.forEach((item, i) => checkItem(`${where}[${i}]`, item, prop, ownerType));
    } else if (typeName === 'Map') {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) { say(where, 'expected a map'); return; }
      for (const [k, item] of Object.entries(value)) checkItem(`${where}.${k}`, item, prop, ownerType);
    } else {
      checkObject(where, value, propertyType(ownerType, typeName), ownerType);
    }
  };
  const checkItem = (where, item, prop, ownerType) => {
    if (isIntrinsic(item)) return;
    if (prop.PrimitiveItemType) {
      if (prop.PrimitiveItemType !== 'Json' && (item === null || typeof item === 'object')) {
        say(where, `expected ${prop.PrimitiveItemType}`);
      }
    } else if (prop.ItemType) {
      checkObject(where, item, propertyType(ownerType, prop.ItemType), ownerType);
    }
  };
  const propertyType = (ownerType, name) => spec.PropertyTypes[`${ownerType}.${name}`] || spec.PropertyTypes[name];
  const checkObject = (where, value, type, ownerType) => {
    if (!type) { say(where, 'unknown property type in the specification'); return; }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) { say(where, 'expected an object'); return; }
    const props = type.Properties || {};
    for (const [k, v] of Object.entries(value)) {
      if (!props[k]) { say(`${where}.${k}`, 'unknown property'); continue; }
      checkValue(`${where}.${k}`, v, props[k], ownerType);
    }
    for (const [k, p] of Object.entries(props)) if (p.Required && !(k in value)) say(where, `required property ${k} missing`);
  };

  for (const [name, r] of Object.entries(resources)) {
    const where = `Resources.${name}`;
    const type = spec.ResourceTypes[r.Type];
    if (!type) { if (!String(r.Type).startsWith('Custom::')) say(where, `unknown resource type ${r.Type}`); continue; }
    if (r.Condition && !conditions[r.Condition]) say(where, `unknown condition ${r.Condition}`);
    for (const d of [].concat(r.DependsOn || [])) if (!resources[d]) say(where, `DependsOn unknown resource ${d}`);
    const props = r.Properties || {};
    for (const [k, v] of Object.entries(props)) {
      const p = type.Properties[k];
      if (!p) { say(`${where}.${k}`, `not a property of ${r.Type}`); continue; }
      if (PACKAGED.has(`${r.Type}.${k}`) && typeof v === 'string') {
        if (!fs.existsSync(path.resolve(path.dirname(file), v))) say(`${where}.${k}`, `local file ${v} not found`);
        continue;
      }
      checkValue(`${where}.${k}`, v, p, r.Type);
    }
    for (const [k, p] of Object.entries(type.Properties)) if (p.Required && !(k in props)) say(where, `required property ${k} missing`);
  }

  // Every name the intrinsics use must be declared.
  const attrsOf = (res) => (spec.ResourceTypes[resources[res]?.Type] || {}).Attributes || {};
  const walk = (where, v, subVars) => {
    if (Array.isArray(v)) { v.forEach((x, i) => walk(`${where}[${i}]`, x, subVars)); return; }
    if (v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'Ref' && typeof x === 'string' && !params[x] && !resources[x] && !PSEUDO.has(x)) say(where, `Ref to unknown ${x}`);
      if (k === 'Fn::GetAtt') {
        const [res, attr] = Array.isArray(x) ? x : String(x).split('.');
        if (!resources[res]) say(where, `GetAtt of unknown resource ${res}`);
        else if (typeof attr === 'string' && !attrsOf(res)[attr] && resources[res].Type !== 'AWS::CloudFormation::Stack') say(where, `${resources[res].Type} has no attribute ${attr}`);
      }
      if (k === 'Fn::If' && Array.isArray(x) && !conditions[x[0]]) say(where, `Fn::If on unknown condition ${x[0]}`);
      if (k === 'Condition' && typeof x === 'string' && where.startsWith('Conditions') && !conditions[x]) say(where, `unknown condition ${x}`);
      if (k === 'Fn::Sub') {
        const [text, vars] = Array.isArray(x) ? x : [x, {}];
        for (const m of String(text).matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = m[1];
          const base = name.split('.')[0];
          if (!(vars && name in vars) && !params[name] && !resources[base] && !PSEUDO.has(name)) say(where, `Fn::Sub variable \${${name}} unknown`);
        }
        if (Array.isArray(x)) walk(`${where}.Fn::Sub`, x[1], subVars);
        continue;
      }
      walk(`${where}.${k}`, x, subVars);
    }
  };
  walk('Resources', resources);
  walk('Outputs', t.Outputs || {});
  walk('Conditions', conditions);
  for (const [name, o] of Object.entries(t.Outputs || {})) if (!('Value' in o)) say(`Outputs.${name}`, 'no Value');
  return problems;
}

async function validateAsl(file) {
  const problems = [];
  let definition;
  try {
    definition = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return [`${file}: json: ${e.message}`];
  }
  const mod = await import('asl-validator');
  const aslValidator = mod.default?.default || mod.default || mod;
  const { isValid, errorsText } = aslValidator(definition, { checkPaths: true, checkArn: true });
  if (!isValid) problems.push(`${file}: asl: ${errorsText('\n')}`);
  return problems;
}

function substituteTemplate(templateFile, samplesFile, outFile) {
  const problems = [];
  const t = yaml.load(fs.readFileSync(templateFile, 'utf8'), { schema: CFN_SCHEMA });
  const samples = JSON.parse(fs.readFileSync(samplesFile, 'utf8'));
  const machines = Object.entries(t.Resources || {}).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine'
      && typeof (r.Properties || {}).DefinitionS3Location === 'string');
  if (machines.length !== 1) return [`${templateFile}: expected one state machine with a local DefinitionS3Location`];
  const [name, r] = machines[0];
  const asl = path.resolve(path.dirname(templateFile), r.Properties.DefinitionS3Location);
  const text = fs.readFileSync(asl, 'utf8');
  const keys = new Set(Object.keys(r.Properties.DefinitionSubstitutions || {}));
  const used = new Set([...text.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]));
  for (const u of used) if (!keys.has(u)) problems.push(`${asl}: \${${u}} is not a DefinitionSubstitutions key of ${name}`);
  for (const k of keys) if (!used.has(k)) problems.push(`${templateFile}: Resources.${name}: substitution ${k} unused`);
  for (const k of keys) if (!(k in samples)) problems.push(`${samplesFile}: no sample value for ${k}`);
  if (problems.length > 0) return problems;
  fs.writeFileSync(outFile, text.replace(/\$\{([^}]+)\}/g, (m, k) => String(samples[k])));
  return [];
}

const [mode, ...files] = process.argv.slice(2);
if (mode === 'asl-template') {
  if (files.length !== 3) {
    console.error('usage: node validate.mjs asl-template TEMPLATE.yaml SAMPLES.json OUT.json');
    process.exit(64);
  }
  const p = substituteTemplate(files[0], files[1], files[2]);
  const all = p.length > 0 ? p : await validateAsl(files[2]);
  if (all.length === 0) console.log(`ok ${files[0]} ${files[2]}`);
  for (const x of all) console.log(x);
  process.exit(all.length === 0 ? 0 : 1);
}
if (!['cfn', 'asl'].includes(mode) || files.length === 0) {
  console.error('usage: node validate.mjs cfn|asl FILE...');
  process.exit(64);
}
let all = [];
for (const f of files) {
  const p = mode === 'cfn' ? validateTemplate(f) : await validateAsl(f);
  if (p.length === 0) console.log(`ok ${f}`);
  all = all.concat(p);
}
for (const p of all) console.log(p);
process.exit(all.length === 0 ? 0 : 1);
