/**
 * apiextensions.k8s.io/v1 message tables (k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1/generated.proto).
 */

import type { JsonObject, JsonValue } from '../types.js';
import { f, msg, ObjectMeta, type MessageSchema } from './schema.js';

const P = 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1';

export const ExternalDocumentation: MessageSchema = msg(`${P}.ExternalDocumentation`, [
  f(1, 'description', 'string'),
  f(2, 'url', 'string'),
]);

export const ValidationRule: MessageSchema = msg(`${P}.ValidationRule`, [
  f(1, 'rule', 'string', { keepZero: true }),
  f(2, 'message', 'string'),
  f(3, 'messageExpression', 'string'),
  f(4, 'reason', 'string', { keepZero: true }),
  f(5, 'fieldPath', 'string'),
  f(6, 'optionalOldSelf', 'bool', { keepZero: true }),
]);

/** JSONSchemaPropsOrArray marshals as the single schema, else as the array of schemas. */
export const JSONSchemaPropsOrArray: MessageSchema = msg(
  `${P}.JSONSchemaPropsOrArray`,
  [f(1, 'schema', () => JSONSchemaProps, { keepZero: true }), f(2, 'jSONSchemas', () => JSONSchemaProps, { repeated: true })],
  (d: JsonObject): JsonValue => (d.schema !== undefined ? d.schema : d.jSONSchemas !== undefined ? d.jSONSchemas : null),
);

/** JSONSchemaPropsOrBool marshals as the schema when set, else as the boolean. */
export const JSONSchemaPropsOrBool: MessageSchema = msg(
  `${P}.JSONSchemaPropsOrBool`,
  [f(1, 'allows', 'bool', { keepZero: true }), f(2, 'schema', () => JSONSchemaProps, { keepZero: true })],
  (d: JsonObject): JsonValue => (d.schema !== undefined ? d.schema : d.allows === true),
);

/** JSONSchemaPropsOrStringArray marshals as the string array when non-empty, else as the schema. */
export const JSONSchemaPropsOrStringArray: MessageSchema = msg(
  `${P}.JSONSchemaPropsOrStringArray`,
  [f(1, 'schema', () => JSONSchemaProps, { keepZero: true }), f(2, 'property', 'string', { repeated: true })],
  (d: JsonObject): JsonValue => (d.property !== undefined ? d.property : d.schema !== undefined ? d.schema : null),
);

export const JSONSchemaProps: MessageSchema = msg(`${P}.JSONSchemaProps`, [
  f(1, 'id', 'string'),
  f(2, '$schema', 'string'),
  f(3, '$ref', 'string', { keepZero: true }),
  f(4, 'description', 'string'),
  f(5, 'type', 'string'),
  f(6, 'format', 'string'),
  f(7, 'title', 'string'),
  f(8, 'default', 'rawjson', { keepZero: true }),
  f(9, 'maximum', 'double', { keepZero: true }),
  f(10, 'exclusiveMaximum', 'bool'),
  f(11, 'minimum', 'double', { keepZero: true }),
  f(12, 'exclusiveMinimum', 'bool'),
  f(13, 'maxLength', 'int64', { keepZero: true }),
  f(14, 'minLength', 'int64', { keepZero: true }),
  f(15, 'pattern', 'string'),
  f(16, 'maxItems', 'int64', { keepZero: true }),
  f(17, 'minItems', 'int64', { keepZero: true }),
  f(18, 'uniqueItems', 'bool'),
  f(19, 'multipleOf', 'double', { keepZero: true }),
  f(20, 'enum', 'rawjson', { repeated: true }),
  f(21, 'maxProperties', 'int64', { keepZero: true }),
  f(22, 'minProperties', 'int64', { keepZero: true }),
  f(23, 'required', 'string', { repeated: true }),
  f(24, 'items', () => JSONSchemaPropsOrArray, { keepZero: true }),
  f(25, 'allOf', () => JSONSchemaProps, { repeated: true }),
  f(26, 'oneOf', () => JSONSchemaProps, { repeated: true }),
  f(27, 'anyOf', () => JSONSchemaProps, { repeated: true }),
  f(28, 'not', () => JSONSchemaProps, { keepZero: true }),
  f(29, 'properties', () => JSONSchemaProps, { map: true }),
  f(30, 'additionalProperties', () => JSONSchemaPropsOrBool, { keepZero: true }),
  f(31, 'patternProperties', () => JSONSchemaProps, { map: true }),
  f(32, 'dependencies', () => JSONSchemaPropsOrStringArray, { map: true }),
  f(33, 'additionalItems', () => JSONSchemaPropsOrBool, { keepZero: true }),
  f(34, 'definitions', () => JSONSchemaProps, { map: true }),
  f(35, 'externalDocs', () => ExternalDocumentation, { keepZero: true }),
  f(36, 'example', 'rawjson', { keepZero: true }),
  f(37, 'nullable', 'bool'),
  f(38, 'x-kubernetes-preserve-unknown-fields', 'bool', { keepZero: true }),
  f(39, 'x-kubernetes-embedded-resource', 'bool'),
  f(40, 'x-kubernetes-int-or-string', 'bool'),
  f(41, 'x-kubernetes-list-map-keys', 'string', { repeated: true }),
  f(42, 'x-kubernetes-list-type', 'string', { keepZero: true }),
  f(43, 'x-kubernetes-map-type', 'string', { keepZero: true }),
  f(44, 'x-kubernetes-validations', () => ValidationRule, { repeated: true }),
]);

export const CustomResourceValidation: MessageSchema = msg(`${P}.CustomResourceValidation`, [
  f(1, 'openAPIV3Schema', () => JSONSchemaProps, { keepZero: true }),
]);

export const CustomResourceSubresourceStatus: MessageSchema = msg(`${P}.CustomResourceSubresourceStatus`, []);

export const CustomResourceSubresourceScale: MessageSchema = msg(`${P}.CustomResourceSubresourceScale`, [
  f(1, 'specReplicasPath', 'string', { keepZero: true }),
  f(2, 'statusReplicasPath', 'string', { keepZero: true }),
  f(3, 'labelSelectorPath', 'string', { keepZero: true }),
]);

export const CustomResourceSubresources: MessageSchema = msg(`${P}.CustomResourceSubresources`, [
  f(1, 'status', () => CustomResourceSubresourceStatus, { keepZero: true }),
  f(2, 'scale', () => CustomResourceSubresourceScale, { keepZero: true }),
]);

export const CustomResourceColumnDefinition: MessageSchema = msg(`${P}.CustomResourceColumnDefinition`, [
  f(1, 'name', 'string', { keepZero: true }),
  f(2, 'type', 'string', { keepZero: true }),
  f(3, 'format', 'string'),
  f(4, 'description', 'string'),
  f(5, 'priority', 'int32'),
  f(6, 'jsonPath', 'string', { keepZero: true }),
]);

export const SelectableField: MessageSchema = msg(`${P}.SelectableField`, [f(1, 'jsonPath', 'string', { keepZero: true })]);

export const CustomResourceDefinitionVersion: MessageSchema = msg(`${P}.CustomResourceDefinitionVersion`, [
  f(1, 'name', 'string', { keepZero: true }),
  f(2, 'served', 'bool', { keepZero: true }),
  f(3, 'storage', 'bool', { keepZero: true }),
  f(7, 'deprecated', 'bool'),
  f(8, 'deprecationWarning', 'string', { keepZero: true }),
  f(4, 'schema', () => CustomResourceValidation, { keepZero: true }),
  f(5, 'subresources', () => CustomResourceSubresources, { keepZero: true }),
  f(6, 'additionalPrinterColumns', () => CustomResourceColumnDefinition, { repeated: true }),
  f(9, 'selectableFields', () => SelectableField, { repeated: true }),
]);

export const CustomResourceDefinitionNames: MessageSchema = msg(`${P}.CustomResourceDefinitionNames`, [
  f(1, 'plural', 'string'),
  f(2, 'singular', 'string'),
  f(3, 'shortNames', 'string', { repeated: true }),
  f(4, 'kind', 'string'),
  f(5, 'listKind', 'string'),
  f(6, 'categories', 'string', { repeated: true }),
]);

export const ServiceReference: MessageSchema = msg(`${P}.ServiceReference`, [
  f(1, 'namespace', 'string', { keepZero: true }),
  f(2, 'name', 'string', { keepZero: true }),
  f(3, 'path', 'string', { keepZero: true }),
  f(4, 'port', 'int32', { keepZero: true }),
]);

export const WebhookClientConfig: MessageSchema = msg(`${P}.WebhookClientConfig`, [
  f(3, 'url', 'string', { keepZero: true }),
  f(1, 'service', () => ServiceReference, { keepZero: true }),
  f(2, 'caBundle', 'bytes'),
]);

export const WebhookConversion: MessageSchema = msg(`${P}.WebhookConversion`, [
  f(2, 'clientConfig', () => WebhookClientConfig, { keepZero: true }),
  f(3, 'conversionReviewVersions', 'string', { repeated: true }),
]);

export const CustomResourceConversion: MessageSchema = msg(`${P}.CustomResourceConversion`, [
  f(1, 'strategy', 'string', { keepZero: true }),
  f(2, 'webhook', () => WebhookConversion, { keepZero: true }),
]);

export const CustomResourceDefinitionSpec: MessageSchema = msg(`${P}.CustomResourceDefinitionSpec`, [
  f(1, 'group', 'string'),
  f(3, 'names', () => CustomResourceDefinitionNames),
  f(4, 'scope', 'string'),
  f(7, 'versions', () => CustomResourceDefinitionVersion, { repeated: true }),
  f(9, 'conversion', () => CustomResourceConversion, { keepZero: true }),
  f(10, 'preserveUnknownFields', 'bool'),
]);

export const CustomResourceDefinitionCondition: MessageSchema = msg(`${P}.CustomResourceDefinitionCondition`, [
  f(1, 'type', 'string'),
  f(2, 'status', 'string'),
  f(3, 'lastTransitionTime', 'time'),
  f(4, 'reason', 'string'),
  f(5, 'message', 'string'),
]);

export const CustomResourceDefinitionStatus: MessageSchema = msg(`${P}.CustomResourceDefinitionStatus`, [
  f(1, 'conditions', () => CustomResourceDefinitionCondition, { repeated: true }),
  f(2, 'acceptedNames', () => CustomResourceDefinitionNames),
  f(3, 'storedVersions', 'string', { repeated: true }),
]);

export const CustomResourceDefinition: MessageSchema = msg(`${P}.CustomResourceDefinition`, [
  f(1, 'metadata', () => ObjectMeta),
  f(2, 'spec', () => CustomResourceDefinitionSpec),
  f(3, 'status', () => CustomResourceDefinitionStatus),
]);
