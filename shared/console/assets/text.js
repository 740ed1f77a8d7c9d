// Words for numbers and lists, as the console says them. Pure (no DOM).

// count picks "1 token" or "3 tokens".
export function count(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

// names joins names as a sentence does: "a", "a and b", "a, b and c".
export function names(list) {
  if (list.length <= 1) return list.join('');
  return `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
}
