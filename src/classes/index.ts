/** Shipped ClusterClasses: the default class `slipway-default` (YAML in ./slipway-default/) and its installer. */
export { BASE_NAME_ANNOTATION, DEFAULT_CLASS_NAME, DEFAULT_CLASS_NAMESPACE, SHIPPED_CLASS_LABEL, loadDefaultClass, shipClass, templateContentHash, type ShippedClass } from './default-class.js';
export { DEFAULT_CLASS_FIELD_MANAGER, classTemplateRefs, installDefaultClass, installShippedClass, type InstallResult } from './install.js';
