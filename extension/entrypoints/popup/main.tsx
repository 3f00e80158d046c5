import { render } from 'preact';
import { ServalApp } from '../../ui/ServalApp';
import { backgroundUiClient } from '../../ui/ui-client';
import '../../ui/app.css';

render(<ServalApp client={backgroundUiClient} variant="popup" />, document.getElementById('app')!);
