// Validation of the Step Functions definitions (run by DeployTemplatesTest; `npm ci` in this folder first). The
// CloudFormation templates themselves are checked with AWS's cfn-lint (CloudFormationTemplatesTest).
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
import yaml from 'js-yaml';

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
if (mode !== 'asl' || files.length === 0) {
  console.error('usage: node validate.mjs asl FILE... | asl-template TEMPLATE.yaml SAMPLES.json OUT.json');
  process.exit(64);
}
let all = [];
for (const f of files) {
  const p = await validateAsl(f);
  if (p.length === 0) console.log(`ok ${f}`);
  all = all.concat(p);
}
for (const p of all) console.log(p);
process.exit(all.length === 0 ? 0 : 1);
