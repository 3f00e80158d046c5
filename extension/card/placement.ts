/**
 * Where the card goes: a corner of the viewport that does not overlap the dialog showing the key,
 * so Stripe's own controls are never covered. Pure.
 */
export type Rect = { left: number; top: number; right: number; bottom: number };
export type Corner = 'bottom-right' | 'top-right' | 'bottom-left' | 'top-left';
export type Placement = { corner: Corner; style: Record<'top' | 'right' | 'bottom' | 'left', string> };

export const CARD_WIDTH = 340;
/** The card's tallest likely height; a shorter card only leaves more room. */
export const CARD_HEIGHT = 380;
export const MARGIN = 16;

const CORNERS: Corner[] = ['bottom-right', 'top-right', 'bottom-left', 'top-left'];

function cornerRect(corner: Corner, viewport: { width: number; height: number }): Rect {
  const right = corner.endsWith('right');
  const bottom = corner.startsWith('bottom');
  const left = right ? viewport.width - MARGIN - CARD_WIDTH : MARGIN;
  const top = bottom ? viewport.height - MARGIN - CARD_HEIGHT : MARGIN;
  return { left, top, right: left + CARD_WIDTH, bottom: top + CARD_HEIGHT };
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

function styleFor(corner: Corner): Placement['style'] {
  const px = `${MARGIN}px`;
  return {
    top: corner.startsWith('top') ? px : 'auto',
    bottom: corner.startsWith('bottom') ? px : 'auto',
    left: corner.endsWith('left') ? px : 'auto',
    right: corner.endsWith('right') ? px : 'auto',
  };
}

/** The first corner clear of `avoid`; bottom-right when none is (a narrow window). */
export function placeCard(viewport: { width: number; height: number }, avoid: Rect | null): Placement {
  const corner = (avoid && CORNERS.find((c) => !overlaps(cornerRect(c, viewport), avoid))) || 'bottom-right';
  return { corner, style: styleFor(corner) };
}
