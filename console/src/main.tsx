/** The console page's entry: styles (tokens first), then the app. */
// First: no zod schema may be made before zod is told not to try eval.
import '../../ui/zod-without-eval';
import { render } from 'preact';
import { adoptStyles } from '../../ui/adopt-styles';
import { TOKENS_CSS } from '../../ui/tokens';
import { App } from './App';
import { CONSOLE_CSS } from './console-styles';

adoptStyles(document, TOKENS_CSS + CONSOLE_CSS);
render(<App />, document.getElementById('app')!);
