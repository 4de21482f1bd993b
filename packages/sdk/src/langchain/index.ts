export { guardLangChainTool, guardLangChainTools, type GuardLangChainToolsOptions } from './guard-lang-chain-tools.js';
