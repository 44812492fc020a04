/** apiextensions.k8s.io/v1 CustomResourceDefinition. */
import type { JSONSchemaProps } from '../../apimachinery/schema/types.js';
import type { ResourceInfo } from '../../apiserver/resource-info.js';
import { arrayOf, bool, builtinResource, defineNamed, int32, kindSchema, object, str, timeSchema, useNamed } from './meta.js';

const APIEXT_V1 = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';

function stringList(description: string): JSONSchemaProps {
  return arrayOf({ type: 'string', default: '' }, description, { 'x-kubernetes-list-type': 'atomic' });
}

function crdSchema(): JSONSchemaProps {
  const names = defineNamed(
    `${APIEXT_V1}.CustomResourceDefinitionNames`,
    object(
      {
        categories: stringList('Grouped resources this resource belongs to (e.g. "all"), used by clients such as "kubectl get all".'),
        kind: str('Serialized kind of the resource, normally CamelCase and singular. Custom resource instances use this in their "kind".', {
          default: '',
        }),
        listKind: str('Serialized kind of the list of this resource. Defaults to "<kind>List".'),
        plural: str('Plural name of the resource served at /apis/<group>/<version>/.../<plural>. Must be all lowercase.', {
          default: '',
        }),
        shortNames: stringList('Short aliases for the resource, usable on the command line (e.g. "kubectl get <shortname>"). Lowercase.'),
        singular: str('Singular name of the resource. Lowercase; defaults to the lowercased kind.'),
      },
      'The names under which a custom resource is served.',
      { required: ['plural', 'kind'] },
    ),
  );

  const printerColumn = defineNamed(
    `${APIEXT_V1}.CustomResourceColumnDefinition`,
    object(
      {
        description: str('Human-readable description of the column.'),
        format: str('Optional OpenAPI format hint for the column values, e.g. "int32" or "date-time".'),
        jsonPath: str('Simple JSONPath, evaluated against each custom resource, producing the column value.', { default: '' }),
        name: str('Human-readable column name.', { default: '' }),
        priority: int32('Relative importance of the column; 0 is shown in standard views, larger numbers only in wide views.'),
        type: str('OpenAPI type of the column values: integer, number, string, boolean or date.', { default: '' }),
      },
      'An additional column shown by "kubectl get" for a custom resource.',
      { required: ['name', 'type', 'jsonPath'] },
    ),
  );

  const validation = defineNamed(
    `${APIEXT_V1}.CustomResourceValidation`,
    object(
      {
        openAPIV3Schema: useNamed(
          defineNamed(`${APIEXT_V1}.JSONSchemaProps`, {
            type: 'object',
            description: 'A JSON-Schema following the OpenAPI v3 schema subset Kubernetes accepts for structural schemas.',
            'x-kubernetes-preserve-unknown-fields': true,
          }),
          'OpenAPI v3 schema used for validation and pruning of this version.',
        ),
      },
      'The validation schema of a custom resource version.',
    ),
  );

  const scale = defineNamed(
    `${APIEXT_V1}.CustomResourceSubresourceScale`,
    object(
      {
        labelSelectorPath: str(
          'JSON path (e.g. ".status.selector") to the serialized label selector, reported in the Scale status. Empty means the selector is not reported.',
        ),
        specReplicasPath: str('JSON path (e.g. ".spec.replicas") to the desired replicas, read and written through Scale spec.replicas.', {
          default: '',
        }),
        statusReplicasPath: str('JSON path (e.g. ".status.replicas") to the observed replicas, reported in Scale status.replicas.', {
          default: '',
        }),
      },
      'How the /scale subresource maps onto the custom resource.',
      { required: ['specReplicasPath', 'statusReplicasPath'] },
    ),
  );

  const subresources = defineNamed(
    `${APIEXT_V1}.CustomResourceSubresources`,
    object(
      {
        scale: useNamed(scale, 'Enables the /scale subresource.'),
        status: useNamed(
          defineNamed(`${APIEXT_V1}.CustomResourceSubresourceStatus`, {
            type: 'object',
            description:
              'Enables the /status subresource. The main endpoint then ignores changes to .status and the status endpoint only accepts .status changes.',
          }),
          'Enables the /status subresource.',
        ),
      },
      'The subresources a custom resource version serves.',
    ),
  );

  const selectableField = defineNamed(
    `${APIEXT_V1}.SelectableField`,
    object(
      {
        jsonPath: str('Simple JSONPath to a string, integer or boolean field usable as a field selector.', { default: '' }),
      },
      'A field of the custom resource that may be used with field selectors.',
      { required: ['jsonPath'] },
    ),
  );

  const version = defineNamed(
    `${APIEXT_V1}.CustomResourceDefinitionVersion`,
    object(
      {
        additionalPrinterColumns: arrayOf(
          useNamed(printerColumn, undefined, { default: {} }),
          'Extra columns shown by "kubectl get". Without any, a single Age column is shown.',
          { 'x-kubernetes-list-type': 'atomic' },
        ),
        deprecated: bool('Marks this version as deprecated; requests to it get a warning header.'),
        deprecationWarning: str('Overrides the default warning returned to clients of a deprecated version.'),
        name: str('Version name, e.g. "v1" or "v2beta1", served under /apis/<group>/<version>/.', { default: '' }),
        schema: useNamed(validation, 'Schema used for validation, pruning and defaulting of this version.'),
        selectableFields: arrayOf(
          useNamed(selectableField, undefined, { default: {} }),
          'Fields usable as field selectors (at most 8). metadata.name and metadata.namespace are always selectable.',
          { 'x-kubernetes-list-type': 'atomic' },
        ),
        served: bool('Whether this version is served by the REST API.', { default: false }),
        storage: bool('Whether objects are persisted in this version. Exactly one version must be the storage version.', {
          default: false,
        }),
        subresources: useNamed(subresources, 'Subresources served for this version.'),
      },
      'One version of a custom resource.',
      { required: ['name', 'served', 'storage'] },
    ),
  );

  const serviceReference = defineNamed(
    `${APIEXT_V1}.ServiceReference`,
    object(
      {
        name: str('Name of the service.', { default: '' }),
        namespace: str('Namespace of the service.', { default: '' }),
        path: str('Optional URL path at which the webhook is reached.'),
        port: int32('Port of the service. Defaults to 443.'),
      },
      'A reference to a Service.',
      { required: ['namespace', 'name'] },
    ),
  );

  const conversion = defineNamed(
    `${APIEXT_V1}.CustomResourceConversion`,
    object(
      {
        strategy: str(
          'How objects are converted between versions: "None" only changes apiVersion; "Webhook" calls an external webhook (requires webhook).',
          { default: '' },
        ),
        webhook: useNamed(
          defineNamed(
            `${APIEXT_V1}.WebhookConversion`,
            object(
              {
                clientConfig: useNamed(
                  defineNamed(
                    `${APIEXT_V1}.WebhookClientConfig`,
                    object(
                      {
                        caBundle: str('PEM CA bundle used to validate the webhook server certificate.', { format: 'byte' }),
                        service: useNamed(serviceReference, 'Service that hosts the webhook. Exactly one of url or service is required.'),
                        url: str('URL of the webhook, as https://host[:port]/path. Exactly one of url or service is required.'),
                      },
                      'How to reach a webhook over TLS.',
                    ),
                  ),
                  'How to call the webhook. Required when strategy is "Webhook".',
                ),
                conversionReviewVersions: stringList(
                  'ConversionReview versions the webhook accepts, in order of preference; the first one the server understands is used.',
                ),
              },
              'Configuration of a conversion webhook.',
              { required: ['conversionReviewVersions'] },
            ),
          ),
          'Webhook configuration; required when strategy is "Webhook".',
        ),
      },
      'How custom resources are converted between versions.',
      { required: ['strategy'] },
    ),
  );

  const spec = defineNamed(
    `${APIEXT_V1}.CustomResourceDefinitionSpec`,
    object(
      {
        conversion: useNamed(conversion, 'How the versions of this resource are converted to each other.'),
        group: str('API group of the resource, served under /apis/<group>/... Must match the name of the definition (<plural>.<group>).', {
          default: '',
        }),
        names: useNamed(names, 'Resource and kind names of the custom resource.', { default: {} }),
        preserveUnknownFields: bool(
          'Deprecated: when true, fields not in the schema are kept. Must be false in apiextensions.k8s.io/v1; use x-kubernetes-preserve-unknown-fields in the schema instead.',
        ),
        scope: str('Whether the resource is "Cluster" or "Namespaced" scoped.', { default: '' }),
        versions: arrayOf(
          useNamed(version, undefined, { default: {} }),
          'All versions of the resource. Exactly one has storage=true. Served versions are ordered by version priority (GA, beta, alpha, then by number).',
          { 'x-kubernetes-list-type': 'atomic' },
        ),
      },
      'The desired definition of a custom resource.',
      { required: ['group', 'names', 'scope', 'versions'] },
    ),
  );

  const condition = defineNamed(
    `${APIEXT_V1}.CustomResourceDefinitionCondition`,
    object(
      {
        lastTransitionTime: useNamed(timeSchema(), 'Last time the condition changed from one status to another.'),
        message: str('Human-readable details about the last transition.'),
        reason: str('One-word CamelCase reason for the last transition.'),
        status: str('Status of the condition: True, False or Unknown.', { default: '' }),
        type: str('Type of the condition, e.g. Established or NamesAccepted.', { default: '' }),
      },
      'The state of one aspect of a CustomResourceDefinition.',
      { required: ['type', 'status'] },
    ),
  );

  const status = defineNamed(
    `${APIEXT_V1}.CustomResourceDefinitionStatus`,
    object(
      {
        acceptedNames: useNamed(names, 'The names actually being served; they may differ from spec.names when those conflict.', {
          default: {},
        }),
        conditions: arrayOf(useNamed(condition, undefined, { default: {} }), 'Latest observations of the definition\'s state.', {
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['type'],
        }),
        storedVersions: stringList(
          'Every version objects of this resource have ever been persisted in. A version can only be removed from spec.versions once it is removed from here.',
        ),
      },
      'The observed state of a CustomResourceDefinition.',
    ),
  );

  return kindSchema(
    'CustomResourceDefinition makes the API server serve a new resource, named <plural>.<group>, with the given versions and schemas.',
    {
      spec: useNamed(spec, 'The resource being defined.', { default: {} }),
      status: useNamed(status, 'Observed state of the definition, maintained by the server.', { default: {} }),
    },
    { required: ['spec'] },
  );
}

export function apiextensionsResources(): ResourceInfo[] {
  return [
    builtinResource({
      group: 'apiextensions.k8s.io',
      version: 'v1',
      kind: 'CustomResourceDefinition',
      plural: 'customresourcedefinitions',
      singular: 'customresourcedefinition',
      namespaced: false,
      shortNames: ['crd', 'crds'],
      categories: ['api-extensions'],
      schema: crdSchema(),
      subresources: { status: true },
      printerColumns: [{ name: 'Created At', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
    }),
  ];
}
