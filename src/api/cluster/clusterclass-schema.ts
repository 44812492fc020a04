/**
 * OpenAPI v3 schema of cluster.x-k8s.io/v1beta1 ClusterClass. Structural and faithful to upstream's field names and
 * limits; a variable's own `openAPIV3Schema` is kept as sent (the topology engine validates it).
 */
import type { JSONSchemaProps } from '../../apimachinery/schema/types.js';
import {
  anyValue,
  arrayOf,
  availabilityGates,
  bool,
  conditions,
  healthCheckFields,
  int32,
  int64,
  kindRoot,
  machineDeletionTimeouts,
  machineDeploymentStrategy,
  machineTaints,
  object,
  objectReference,
  oneOf,
  readinessGates,
  stringMap,
  strings,
  templateMeta,
  text,
} from './schema-kit.js';

function templateRef(description: string): JSONSchemaProps {
  return object({ ref: objectReference('The template object.') }, description, { required: ['ref'] });
}

function namingStrategy(description: string): JSONSchemaProps {
  return object({ template: text('Go template for generated names; {{ .cluster.name }} and {{ .random }} are available.', 1, 1024) }, description);
}

function classHealthCheck(description: string): JSONSchemaProps {
  return object(healthCheckFields(), description);
}

/** The OpenAPI subset a ClusterClass variable's schema may use; nested schemas are kept as sent. */
function variableOpenAPISchema(): JSONSchemaProps {
  const nested = (what: string): JSONSchemaProps => anyValue(what);
  const bound = (what: string): JSONSchemaProps => int64(what);
  return object(
    {
      additionalProperties: nested('Schema of the values of a map.'),
      allOf: nested('Schemas that must all hold.'),
      anyOf: nested('Schemas of which at least one must hold.'),
      default: nested('Default value.'),
      description: text('What the value means.', 1, 4096),
      enum: arrayOf(anyValue('An allowed value.'), 'Allowed values.', { maxItems: 100 }),
      example: nested('An example value.'),
      exclusiveMaximum: bool('Whether maximum itself is excluded.'),
      exclusiveMinimum: bool('Whether minimum itself is excluded.'),
      format: text('Format of a string, e.g. uri or ipv4.', 1, 32),
      items: nested('Schema of the items of an array.'),
      maxItems: bound('Most items of an array.'),
      maxLength: bound('Longest length of a string.'),
      maxProperties: bound('Most properties of an object.'),
      maximum: bound('Largest value of a number.'),
      minItems: bound('Fewest items of an array.'),
      minLength: bound('Shortest length of a string.'),
      minProperties: bound('Fewest properties of an object.'),
      minimum: bound('Smallest value of a number.'),
      not: nested('A schema that must not hold.'),
      oneOf: nested('Schemas of which exactly one must hold.'),
      pattern: text('Regular expression a string must match.', 1, 512),
      properties: nested('Schemas of the properties of an object.'),
      required: strings('Properties an object must have.', 1000, { minLength: 1, maxLength: 256 }),
      type: oneOf(['object', 'array', 'string', 'integer', 'number', 'boolean'], 'Type of the value.'),
      uniqueItems: bool('Whether array items must be unique.'),
      'x-kubernetes-int-or-string': bool('The value may be an integer or a string.'),
      'x-kubernetes-preserve-unknown-fields': bool('Keep fields the schema does not name.'),
      'x-kubernetes-validations': arrayOf(
        object(
          {
            fieldPath: text('Field the error is reported on.', 1, 512),
            message: text('Message when the rule fails.', 1, 512),
            messageExpression: text('CEL expression producing the message.', 1, 1024),
            reason: oneOf(['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'], 'Reason reported when the rule fails.', { default: 'FieldValueInvalid' }),
            rule: text('CEL expression that must hold.', 1, 4096),
          },
          'A CEL validation rule.',
          { required: ['rule'] },
        ),
        'CEL rules the value must satisfy.',
        { maxItems: 100, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['rule'] },
      ),
      'x-metadata': templateMeta('Labels and annotations describing the variable, for tools.'),
    },
    "OpenAPI v3 schema of the variable's value (the subset Cluster API accepts, plus example and x-metadata).",
  );
}

function variableSchema(description: string): JSONSchemaProps {
  return object({ openAPIV3Schema: variableOpenAPISchema() }, description, { required: ['openAPIV3Schema'] });
}

function machineDeploymentClass(): JSONSchemaProps {
  return object(
    {
      class: text('Name of the class; Cluster topologies refer to it.', 1, 256),
      failureDomain: text('Failure domain for the MachineDeployments of this class.', 1, 256),
      machineHealthCheck: classHealthCheck('Health check for the MachineDeployments of this class.'),
      minReadySeconds: int32('Seconds a new Machine must be Ready before it counts as available.'),
      namingStrategy: namingStrategy('How the MachineDeployments of this class are named.'),
      ...machineDeletionTimeouts(),
      readinessGates: readinessGates('Extra conditions the Machines need before they count as Ready.'),
      strategy: machineDeploymentStrategy('How Machines of this class are replaced.'),
      taints: machineTaints('Taints put on the Nodes of this class.'),
      template: object(
        {
          bootstrap: templateRef('The bootstrap config template, e.g. a KubeadmConfigTemplate.'),
          infrastructure: templateRef('The infrastructure machine template, e.g. a SimMachineTemplate.'),
          metadata: templateMeta('Labels and annotations for the MachineDeployments and their Machines.'),
        },
        'Templates of the MachineDeployments of this class.',
        { required: ['bootstrap', 'infrastructure'] },
      ),
    },
    'A kind of worker pool a Cluster may use.',
    { required: ['class', 'template'] },
  );
}

function machinePoolClass(): JSONSchemaProps {
  return object(
    {
      class: text('Name of the class; Cluster topologies refer to it.', 1, 256),
      failureDomains: strings('Failure domains for the MachinePools of this class.', 100, { minLength: 1, maxLength: 256 }),
      minReadySeconds: int32('Seconds a new machine must be Ready before it counts as available.'),
      namingStrategy: namingStrategy('How the MachinePools of this class are named.'),
      ...machineDeletionTimeouts(),
      taints: machineTaints('Taints put on the Nodes of this class.'),
      template: object(
        {
          bootstrap: templateRef('The bootstrap config template.'),
          infrastructure: templateRef('The infrastructure machine pool template.'),
          metadata: templateMeta('Labels and annotations for the MachinePools.'),
        },
        'Templates of the MachinePools of this class.',
        { required: ['bootstrap', 'infrastructure'] },
      ),
    },
    'A kind of machine pool a Cluster may use.',
    { required: ['class', 'template'] },
  );
}

function patch(): JSONSchemaProps {
  return object(
    {
      definitions: arrayOf(
        object(
          {
            jsonPatches: arrayOf(
              object(
                {
                  op: oneOf(['add', 'replace', 'remove'], 'JSON patch operation.'),
                  path: text('JSON pointer to the field to change, e.g. /spec/template/spec/numCPUs.', 1, 512),
                  value: anyValue('Literal value to set.'),
                  valueFrom: object(
                    {
                      template: text('Go template rendered with the variables to produce the value.', 1, 10240),
                      variable: text('Variable whose value is used, e.g. imageRepository or a builtin such as builtin.cluster.name.', 1, 256),
                    },
                    'Where the value comes from, instead of a literal value.',
                  ),
                },
                'One JSON patch operation.',
                { required: ['op', 'path'] },
              ),
              'Operations applied to the selected templates.',
              { maxItems: 100 },
            ),
            selector: object(
              {
                apiVersion: text('API version of the templates to patch.', 1, 512),
                kind: text('Kind of the templates to patch.', 1, 256),
                matchResources: object(
                  {
                    controlPlane: bool('Patch the control plane template (and its machine infrastructure template).'),
                    infrastructureCluster: bool('Patch the infrastructure cluster template.'),
                    machineDeploymentClass: object({ names: strings('MachineDeployment class names; "*" matches all.', 100, { minLength: 1, maxLength: 256 }) }, 'MachineDeployment classes whose templates are patched.'),
                    machinePoolClass: object({ names: strings('MachinePool class names; "*" matches all.', 100, { minLength: 1, maxLength: 256 }) }, 'MachinePool classes whose templates are patched.'),
                  },
                  'Which templates of the class are patched.',
                ),
              },
              'The templates the patch applies to.',
              { required: ['apiVersion', 'kind', 'matchResources'] },
            ),
          },
          'A set of JSON patches and the templates they apply to.',
          { required: ['jsonPatches', 'selector'] },
        ),
        'The patches, in order.',
        { maxItems: 100 },
      ),
      description: text('What the patch does.', 1, 1024),
      enabledIf: text('Go template that must render to "true" for the patch to apply.', 1, 256),
      external: object(
        {
          discoverVariablesExtension: text('Runtime extension that discovers variables.', 1, 512),
          generateExtension: text('Runtime extension that generates patches.', 1, 512),
          settings: stringMap('Settings passed to the runtime extension.'),
          validateExtension: text('Runtime extension that validates the topology.', 1, 512),
        },
        'Patches produced by a runtime extension.',
      ),
      name: text('Name of the patch.', 1, 256),
    },
    'A patch applied to the templates of the class.',
    { required: ['name'] },
  );
}

export function clusterClassSchema(): JSONSchemaProps {
  return kindRoot('The shape of a family of Clusters: templates, worker classes, variables and patches. A Cluster names it in spec.topology.class.', {
    spec: object(
      {
        availabilityGates: availabilityGates('Extra conditions Clusters of this class need before they count as Available.'),
        controlPlane: object(
          {
            machineHealthCheck: classHealthCheck('Health check for the control-plane Machines.'),
            machineInfrastructure: templateRef('Infrastructure machine template for control-plane Machines, when the control plane has Machines.'),
            metadata: templateMeta('Labels and annotations for the control plane object and its Machines.'),
            namingStrategy: namingStrategy('How the control plane object is named.'),
            ...machineDeletionTimeouts(),
            readinessGates: readinessGates('Extra conditions control-plane Machines need before they count as Ready.'),
            ref: objectReference('The control plane template, e.g. a KubeadmControlPlaneTemplate.'),
            taints: machineTaints('Taints put on control-plane Nodes.'),
          },
          'The control plane of Clusters of this class.',
          { required: ['ref'] },
        ),
        infrastructure: templateRef('The infrastructure cluster template, e.g. a SimClusterTemplate.'),
        infrastructureNamingStrategy: namingStrategy('How the infrastructure cluster object is named.'),
        kubernetesVersions: strings('Kubernetes versions an upgrade may step through, one per minor.', 100, { minLength: 1, maxLength: 256 }, { minItems: 1, 'x-kubernetes-list-type': 'atomic' }),
        patches: arrayOf(patch(), 'Patches applied to the templates, in order.', { maxItems: 1000 }),
        upgrade: object(
          { external: object({ generateUpgradePlanExtension: text('Runtime extension that plans upgrades.', 1, 512) }, 'Upgrade planning by a runtime extension.', { minProperties: 1 }) },
          'How upgrades of Clusters of this class are planned.',
          { minProperties: 1 },
        ),
        variables: arrayOf(
          object(
            {
              metadata: templateMeta('Deprecated: labels and annotations of the variable; use x-metadata in the schema.'),
              name: text('Name of the variable.', 1, 256),
              required: bool('Whether a Cluster must set the variable.'),
              schema: variableSchema('Schema of the variable\'s value.'),
            },
            'A variable a Cluster of this class can set.',
            { required: ['name', 'required', 'schema'] },
          ),
          'Variables of the class.',
          { maxItems: 1000 },
        ),
        workers: object(
          {
            machineDeployments: arrayOf(machineDeploymentClass(), 'MachineDeployment classes.', { maxItems: 100, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['class'] }),
            machinePools: arrayOf(machinePoolClass(), 'MachinePool classes.', { maxItems: 100, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['class'] }),
          },
          'Worker classes Clusters of this class may use.',
        ),
      },
      'Desired state of the ClusterClass.',
    ),
    status: object(
      {
        conditions: conditions(),
        observedGeneration: int64('The metadata.generation the controller last acted on.'),
        variables: arrayOf(
          object(
            {
              definitions: arrayOf(
                object(
                  {
                    from: text('Where the definition comes from: "inline" or the name of a patch.', 1, 256),
                    metadata: templateMeta('Labels and annotations of the variable.'),
                    required: bool('Whether a Cluster must set the variable.'),
                    schema: variableSchema('Schema of the variable\'s value.'),
                  },
                  'One definition of the variable.',
                  { required: ['from', 'required', 'schema'] },
                ),
                'Definitions of the variable, one per source.',
                { maxItems: 100 },
              ),
              definitionsConflict: bool('Whether the definitions of the variable disagree.'),
              name: text('Name of the variable.', 1, 256),
            },
            'A variable of the class with all its definitions.',
            { required: ['definitions', 'name'] },
          ),
          'Every variable of the class, inline and from external patches.',
          { maxItems: 1000 },
        ),
      },
      'Observed state of the ClusterClass.',
    ),
  });
}
