/** json-e's error classes (json-e ships types for its main export only). */
declare module 'json-e/src/error.js' {
  class JSONTemplateError extends Error {
    location: string[];
    add_location(loc: string): void;
  }
  class BuiltinError extends JSONTemplateError {}
  class SyntaxError extends JSONTemplateError {}
  const errors: {
    JSONTemplateError: typeof JSONTemplateError;
    BuiltinError: typeof BuiltinError;
    SyntaxError: typeof SyntaxError;
  };
  export default errors;
}
