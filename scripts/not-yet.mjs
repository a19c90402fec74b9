// Placeholder for root commands whose part of the product does not exist yet (CONTRACT.md §2).
const command = process.argv[2] ?? 'this command';
console.error(`npm run ${command}: not available yet: the part it runs has not been built.`);
process.exit(1);
