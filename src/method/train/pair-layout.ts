/** Which pool a contrastive image comes from and its index among the candidates. */
export interface PairSlot {
  pool: 'labeled' | 'unlabeled';
  candidate: number;
}

const L = (k: number): PairSlot => ({ pool: 'labeled', candidate: k });
const U = (k: number): PairSlot => ({ pool: 'unlabeled', candidate: k });

/**
 * The contrastive batch layout (method.md C.4 step 3): view 1 is image k, view 2 image k + B.
 * For B = 10 it is the released code's table, with B/2 labeled (L) and B/2 unlabeled (U)
 * all-class candidates:
 *   view 1: L0 L1 L2 L3 L4 U0 U0 U2 U2 U3
 *   view 2: L0 U1 L2 U3 U4 U0 U1 U2 U3 U4
 * Other even B follow the same pattern: even k pairs a slice with itself, odd k pairs labeled k
 * with unlabeled k, and the unlabeled half pairs U_{k−k mod 2} with U_k.
 * The intra variant pairs each of the B candidates with itself (two intensity views).
 */
export function pairLayout(
  pairs: number,
  variant: 'inter' | 'intra',
): { view1: PairSlot[]; view2: PairSlot[] } {
  if (pairs % 2 !== 0)
    throw new Error(`pairLayout: the number of pairs must be even, got ${pairs}`);
  const n = pairs / 2;
  if (variant === 'intra') {
    const slots = [
      ...Array.from({ length: n }, (_, k) => L(k)),
      ...Array.from({ length: n }, (_, k) => U(k)),
    ];
    return { view1: slots, view2: slots };
  }
  if (pairs === 10) {
    return {
      view1: [L(0), L(1), L(2), L(3), L(4), U(0), U(0), U(2), U(2), U(3)],
      view2: [L(0), U(1), L(2), U(3), U(4), U(0), U(1), U(2), U(3), U(4)],
    };
  }
  const view1: PairSlot[] = [];
  const view2: PairSlot[] = [];
  for (let k = 0; k < n; k++) {
    view1.push(L(k));
    view2.push(k % 2 === 0 ? L(k) : U(k));
  }
  for (let k = 0; k < n; k++) {
    view1.push(U(k - (k % 2)));
    view2.push(U(k));
  }
  return { view1, view2 };
}
