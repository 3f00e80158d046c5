import { render } from 'preact';
import { adoptStyles } from '../../ui/adopt-styles';
import { PAGE_CSS } from '../../ui/page-styles';
import { ServalApp } from '../../ui/ServalApp';
import { TOKENS_CSS } from '../../ui/tokens';
import { backgroundUiClient } from '../../ui/ui-client';

adoptStyles(document, TOKENS_CSS + PAGE_CSS);

render(<ServalApp client={backgroundUiClient} variant="options" />, document.getElementById('app')!);
