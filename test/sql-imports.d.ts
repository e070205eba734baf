// Vite imports a file's text with the ?raw suffix (test/db reads migrations/ this way on both stores).
declare module "*.sql?raw" {
  const text: string;
  export default text;
}
